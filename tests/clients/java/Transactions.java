// Apache Kafka's Java client and transactions: a transactional producer commits one
// transaction and aborts another, then a read_committed consumer and a
// read_uncommitted one read the topic from the start. Used by
// tests/clients/test_transactions_java.py, compiled there with javac against the
// kafka-clients jar.
//
//   java -cp CLASSPATH Transactions BOOTSTRAP TOPIC TRANSACTIONAL_ID N
//
// Prints "read_committed C" and "read_uncommitted U": how many records each consumer
// read. Any failure prints "FAILED <class>: <message>" to stderr and exits 2.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class Transactions {
  // Bounds every wait, so a broker that never answers fails the run instead of hanging it.
  private static final long TIMEOUT_MS = 60_000;

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: Transactions BOOTSTRAP TOPIC TRANSACTIONAL_ID N");
      System.exit(64);
    }
    try {
      int n = Integer.parseInt(args[3]);
      produce(args[0], args[1], args[2], n);
      System.out.println("read_committed " + consume(args[0], args[1], "read_committed"));
      System.out.println("read_uncommitted " + consume(args[0], args[1], "read_uncommitted"));
    } catch (Exception e) {
      System.err.println("FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(2);
    }
  }

  static void produce(String bootstrap, String topic, String txnId, int n) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TIMEOUT_MS));
    try (KafkaProducer<String, String> producer =
             new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      for (boolean commit : new boolean[] {true, false}) {
        producer.beginTransaction();
        for (int i = 0; i < n; i++)
          producer.send(new ProducerRecord<>(topic, "k" + i, (commit ? "kept-" : "dropped-") + i));
        if (commit) {
          producer.commitTransaction();
        } else {
          producer.flush();
          producer.abortTransaction();
        }
      }
    }
  }

  static int consume(String bootstrap, String topic, String isolation) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofMillis(TIMEOUT_MS)))
        parts.add(new TopicPartition(topic, info.partition()));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      // endOffsets under read_committed is the last stable offset (ListOffsets isolation 1).
      var end = consumer.endOffsets(parts, Duration.ofMillis(TIMEOUT_MS));
      int read = 0;
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      while (System.currentTimeMillis() < deadline) {
        boolean done = true;
        for (TopicPartition tp : parts) done &= consumer.position(tp) >= end.get(tp);
        if (done) return read;
        read += consumer.poll(Duration.ofMillis(500)).count();
      }
      throw new IllegalStateException("the consumer never reached the end offsets " + end);
    }
  }
}
