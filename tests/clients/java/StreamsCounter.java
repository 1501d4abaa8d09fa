// A Kafka Streams application with exactly_once_v2 against `sluice broker`, for
// tests/clients/test_kafka_streams.py, compiled there with javac against the pinned
// kafka-streams jar. Three modes:
//
//   java -cp CLASSPATH StreamsCounter produce BOOTSTRAP IN OUT N ACCOUNTS
//   java -cp CLASSPATH StreamsCounter run BOOTSTRAP IN OUT APP_ID STATE_DIR [key=value ...]
//   java -cp CLASSPATH StreamsCounter read BOOTSTRAP OUT N TIMEOUT_MS
//
// produce: creates IN and OUT (3 partitions each) and writes N records to IN, record i
//   keyed "r<i>" with the value "<account>:<amount>" (the formula is input() below, which
//   the test repeats to know the exact answer). Prints "PRODUCED N".
// run: the topology. The input is keyed by record, so selectKey(account) makes Streams
//   route every record through a repartition topic (APP_ID-by-account-repartition);
//   groupByKey().aggregate keeps "<sum>:<count>" per account in the RocksDB store "totals"
//   backed by a compacted changelog topic (APP_ID-totals-changelog, in small segments
//   that the broker compacts during the run), and every
//   update goes to OUT (the record cache is off, so each input record gives exactly one
//   output record). exactly_once_v2: the repartition writes, the changelog writes, the
//   output and the input offsets commit in one transaction every 100 ms. The key=value
//   pairs are Streams configs added or overriding these (e.g. session.timeout.ms). Prints
//   "PROCESSED n" every 500 records it aggregated (in this process, committed or not) and
//   "STATE s" on every state change; runs until killed (SIGTERM closes it cleanly).
// read: a read_committed consumer of OUT from the start, until it has read N records or
//   TIMEOUT_MS passed; prints each as "RECORD <partition> <account> <sum>:<count>", then
//   "READ n" and, after reading OUT again read_uncommitted up to its end, "READ_UNCOMMITTED u"
//   (records of aborted transactions included: more than n after a kill -9 mid-run).
// Any failure prints "FAILED <class>: <message>" to stderr and exits 2.
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

public final class StreamsCounter {
  // Bounds every client wait, so a broker that never answers fails the run instead of
  // hanging it.
  private static final long TIMEOUT_MS = 60_000;
  private static final int PARTITIONS = 3;
  // Small segments and any dirty ratio: the broker compacts the changelog while the
  // test runs, so a store restored from it reads a compacted log whose transactions
  // committed or aborted (Streams creates the topic with these and cleanup.policy=compact).
  private static final Map<String, String> CHANGELOG_CONFIGS =
      Map.of("segment.bytes", "16384", "min.cleanable.dirty.ratio", "0.01");

  public static void main(String[] args) {
    try {
      switch (args.length > 0 ? args[0] : "") {
        case "produce" -> {
          need(args, 6);
          produce(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        }
        case "run" -> {
          if (args.length < 6) need(args, -1);
          run(args[1], args[2], args[3], args[4], args[5],
              Arrays.copyOfRange(args, 6, args.length));
        }
        case "read" -> {
          need(args, 5);
          read(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
        }
        default -> need(args, -1);
      }
    } catch (Exception e) {
      System.err.println("FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(2);
    }
  }

  private static void need(String[] args, int n) {
    if (args.length == n) return;
    System.err.println("usage: StreamsCounter produce BOOTSTRAP IN OUT N ACCOUNTS\n"
        + "       StreamsCounter run BOOTSTRAP IN OUT APP_ID STATE_DIR [key=value ...]\n"
        + "       StreamsCounter read BOOTSTRAP OUT N TIMEOUT_MS");
    System.exit(64);
  }

  // Record i's value; tests/clients/test_kafka_streams.py's expected() is the same formula.
  static String input(int i, int accounts) {
    return "a" + ((i * 7) % accounts) + ":" + (i % 97 + 1);
  }

  static void produce(String bootstrap, String in, String out, int n, int accounts)
      throws Exception {
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin.createTopics(List.of(new NewTopic(in, PARTITIONS, (short) 1),
                                 new NewTopic(out, PARTITIONS, (short) 1)))
          .all()
          .get();
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT_MS));
    try (KafkaProducer<String, String> producer =
             new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < n; i++)
        producer.send(new ProducerRecord<>(in, "r" + i, input(i, accounts)));
      producer.flush();
    }
    System.out.println("PRODUCED " + n);
  }

  static String add(String agg, String value) {
    String[] sc = agg.split(":");
    long amount = Long.parseLong(value.split(":")[1]);
    return (Long.parseLong(sc[0]) + amount) + ":" + (Long.parseLong(sc[1]) + 1);
  }

  static void run(String bootstrap, String in, String out, String appId, String stateDir,
                  String[] configs) throws InterruptedException {
    StreamsBuilder builder = new StreamsBuilder();
    AtomicLong processed = new AtomicLong();
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .selectKey((record, value) -> value.split(":")[0])
        .groupByKey(Grouped.<String, String>as("by-account")
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()))
        .aggregate(() -> "0:0", (account, value, agg) -> add(agg, value),
                   Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("totals")
                       .withKeySerde(Serdes.String())
                       .withValueSerde(Serdes.String())
                       .withLoggingEnabled(CHANGELOG_CONFIGS))
        .toStream()
        .peek((account, agg) -> {
          long n = processed.incrementAndGet();
          if (n % 500 == 0) {
            System.out.println("PROCESSED " + n);
            System.out.flush();
          }
        })
        .to(out, Produced.with(Serdes.String(), Serdes.String()));

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    // Every aggregate update is forwarded (no record cache), so the test can check each.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Streams deletes what it consumed of the repartition topic (DeleteRecords) at the
    // first commit after this interval (30 s by default): often enough to happen here.
    p.put(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, "500");
    for (String kv : configs) {
      String[] pair = kv.split("=", 2);
      p.put(pair[0], pair[1]);
    }
    KafkaStreams streams = new KafkaStreams(builder.build(), p);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("STATE " + now);
      System.out.flush();
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING)
        done.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage());
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
          .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofMillis(TIMEOUT_MS));
    }));
    streams.start();
    done.await();
    if (streams.state() == KafkaStreams.State.ERROR) System.exit(2);
  }

  static void read(String bootstrap, String out, int n, long timeoutMs) {
    List<String> lines = new ArrayList<>();
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "read_committed")) {
      assignAll(consumer, out);
      while (lines.size() < n && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
          lines.add("RECORD " + r.partition() + " " + r.key() + " " + r.value());
      }
    }
    for (String line : lines) System.out.println(line);
    System.out.println("READ " + lines.size());
    long uncommitted = 0;
    try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "read_uncommitted")) {
      List<TopicPartition> parts = assignAll(consumer, out);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofMillis(TIMEOUT_MS));
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
             && System.currentTimeMillis() < deadline + TIMEOUT_MS)
        uncommitted += consumer.poll(Duration.ofMillis(200)).count();
    }
    System.out.println("READ_UNCOMMITTED " + uncommitted);
  }

  static KafkaConsumer<String, String> consumer(String bootstrap, String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  static List<TopicPartition> assignAll(KafkaConsumer<String, String> consumer, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofMillis(TIMEOUT_MS)))
      parts.add(new TopicPartition(topic, info.partition()));
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    return parts;
  }
}
