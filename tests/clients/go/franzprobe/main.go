// franzprobe drives franz-go, a strict modern Kafka client for Go, against one
// broker: it creates a topic with its admin client, produces records with keys
// and headers (idempotent, acks=all), consumes them back in a consumer group,
// commits, and reads the committed offsets and the topic's configs back. It
// prints one JSON line of what it saw and exits 0, or prints what failed and
// exits 1. With -log-requests every client logs at debug level to stderr,
// where franz-go writes "wrote <API> v<version>" for each request it sends. tests/clients/test_franz_go.py runs it; scripts/install-go-client.sh
// builds it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type summary struct {
	Produced   int               `json:"produced"`
	Consumed   int               `json:"consumed"`
	Committed  int64             `json:"committed"`
	Partitions int               `json:"partitions"`
	Configs    map[string]string `json:"configs"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "franzprobe: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap servers, comma-separated")
	topic := flag.String("topic", "franz-probe", "topic to create and use")
	group := flag.String("group", "franz-probe-group", "consumer group")
	count := flag.Int("n", 100, "records to produce and consume")
	partitions := flag.Int("partitions", 3, "partitions of the topic")
	logRequests := flag.Bool("log-requests", false, "log each request sent (and more) to stderr")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	seeds := strings.Split(*brokers, ",")
	common := []kgo.Opt{kgo.SeedBrokers(seeds...)}
	if *logRequests {
		common = append(common, kgo.WithLogger(kgo.BasicLogger(os.Stderr, kgo.LogLevelDebug, nil)))
	}
	with := func(opts ...kgo.Opt) []kgo.Opt { return append(append([]kgo.Opt{}, common...), opts...) }

	admin, err := kgo.NewClient(with()...)
	if err != nil {
		fail("admin client: %v", err)
	}
	defer admin.Close()
	adm := kadm.NewClient(admin)
	retention := "86400000"
	created, err := adm.CreateTopics(ctx, int32(*partitions), 1,
		map[string]*string{"retention.ms": &retention}, *topic)
	if err != nil {
		fail("create topic %s: %v", *topic, err)
	}
	if e := created[*topic].Err; e != nil {
		fail("create topic %s: %v", *topic, e)
	}

	producer, err := kgo.NewClient(with(kgo.DefaultProduceTopic(*topic),
		kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		fail("producer: %v", err)
	}
	defer producer.Close()
	records := make([]*kgo.Record, 0, *count)
	for i := 0; i < *count; i++ {
		records = append(records, &kgo.Record{
			Key:     []byte("k-" + strconv.Itoa(i)),
			Value:   []byte("v-" + strconv.Itoa(i)),
			Headers: []kgo.RecordHeader{{Key: "seq", Value: []byte(strconv.Itoa(i))}},
		})
	}
	if err := producer.ProduceSync(ctx, records...).FirstErr(); err != nil {
		fail("produce: %v", err)
	}

	consumer, err := kgo.NewClient(with(kgo.ConsumerGroup(*group),
		kgo.ConsumeTopics(*topic), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		fail("consumer: %v", err)
	}
	defer consumer.Close()
	seen := map[string]bool{}
	for len(seen) < *count {
		fetches := consumer.PollFetches(ctx)
		if ctx.Err() != nil {
			fail("consumed %d of %d records before the deadline", len(seen), *count)
		}
		for _, e := range fetches.Errors() {
			fail("fetch %s[%d]: %v", e.Topic, e.Partition, e.Err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			i := strings.TrimPrefix(string(r.Key), "k-")
			if string(r.Value) != "v-"+i || len(r.Headers) != 1 || string(r.Headers[0].Value) != i {
				fail("record %s/%s at %s[%d]@%d does not match what was produced", r.Key, r.Value,
					r.Topic, r.Partition, r.Offset)
			}
			seen[i] = true
		})
	}
	if err := consumer.CommitUncommittedOffsets(ctx); err != nil {
		fail("commit: %v", err)
	}

	out := summary{Produced: *count, Consumed: len(seen), Configs: map[string]string{}}
	offsets, err := adm.FetchOffsets(ctx, *group)
	if err != nil {
		fail("fetch offsets of %s: %v", *group, err)
	}
	offsets.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil {
			fail("offset of %s[%d]: %v", o.Topic, o.Partition, o.Err)
		}
		out.Committed += o.At
	})
	topics, err := adm.ListTopics(ctx, *topic)
	if err != nil {
		fail("list topics: %v", err)
	}
	out.Partitions = len(topics[*topic].Partitions)
	configs, err := adm.DescribeTopicConfigs(ctx, *topic)
	if err != nil {
		fail("describe configs: %v", err)
	}
	for _, rc := range configs {
		if rc.Err != nil {
			fail("describe configs of %s: %v", rc.Name, rc.Err)
		}
		for _, c := range rc.Configs {
			if c.Source == 1 { // DYNAMIC_TOPIC_CONFIG: what the topic was created with
				out.Configs[c.Key] = c.MaybeValue()
			}
		}
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
