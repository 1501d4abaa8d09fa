// One member of a consumer group, for tests/clients/test_consumer_group_protocol.py:
// subscribes to a topic with Apache Kafka's Java consumer and consumes until told to
// stop, committing after every poll that returned records.
//
//   java -cp CLASSPATH GroupMember BOOTSTRAP TOPIC GROUP STOP_FILE [key=value ...]
//
// The key=value pairs are consumer configs (group.protocol=consumer,
// group.remote.assignor=range, ...). It prints, one line each, flushed:
//   ASSIGNED p1,p2,...   its whole assignment after every change (empty: none)
//   RECORD p offset value
//   COMMITTED            after each successful commitSync
//   COMMIT_FAILED msg    after a commit refused because the member was fenced or unknown
// When STOP_FILE exists it closes the consumer (leaving the group) and exits 0. A Kafka
// exception ends it with "FAILED <class>: <message>" on stderr and exit code 2.
import java.io.File;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public final class GroupMember {
  private static final Set<Integer> owned = new TreeSet<>();

  private static void printAssignment() {
    System.out.println(
        "ASSIGNED " + owned.stream().map(String::valueOf).collect(Collectors.joining(",")));
    System.out.flush();
  }

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: GroupMember BOOTSTRAP TOPIC GROUP STOP_FILE [key=value ...]");
      System.exit(64);
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("group.id", args[2]);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    for (int i = 4; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      p.put(kv[0], kv[1]);
    }
    File stop = new File(args[3]);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(java.util.List.of(args[1]), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
          for (TopicPartition tp : partitions) owned.remove(tp.partition());
          printAssignment();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          for (TopicPartition tp : partitions) owned.add(tp.partition());
          printAssignment();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
          onPartitionsRevoked(partitions);
        }
      });
      while (!stop.exists()) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : records) {
          System.out.println("RECORD " + r.partition() + " " + r.offset() + " " + r.value());
        }
        if (!records.isEmpty()) {
          try {
            consumer.commitSync();
            System.out.println("COMMITTED");
          } catch (CommitFailedException e) {
            // The member was fenced or is unknown (e.g. the broker restarted): it rejoins on
            // the next poll and reads these records again from the last committed offsets.
            System.out.println("COMMIT_FAILED " + e.getMessage());
          }
        }
        System.out.flush();
      }
    } catch (Exception e) {
      System.err.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }
}
