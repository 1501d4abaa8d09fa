// Apache Kafka's Java client against a broker: produces N records (acks=all, keys and a
// header) to one topic, then a consumer in a fresh group subscribes, reads them back from
// the earliest offset and commits. Used by tests/clients/test_java_client.py, compiled
// there with javac against the kafka-clients jar (no build tool).
//
//   java -cp CLASSPATH ProduceConsume CLIENT.properties TOPIC COUNT
//
// CLIENT.properties holds bootstrap.servers and the security settings (security.protocol,
// sasl.*, ssl.*), exactly as a Java application would be configured. On success it prints
// "produced N" and "consumed N" and exits 0. On failure it prints one line
// "FAILED <exception class>: <message>" to stderr (the innermost Kafka exception, e.g.
// org.apache.kafka.common.errors.SaslAuthenticationException) and exits 2, so a test can
// check what the client itself reports.
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class ProduceConsume {
  // Bounds every wait, so a broker that never answers fails the run instead of hanging it.
  private static final long TIMEOUT_MS = 60_000;

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ProduceConsume CLIENT.properties TOPIC COUNT");
      System.exit(64);
    }
    Properties client = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      client.load(in);
    }
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    try {
      produce(client, topic, count);
      System.out.println("produced " + count);
      int consumed = consume(client, topic, count);
      System.out.println("consumed " + consumed);
      System.exit(consumed == count ? 0 : 1);
    } catch (Exception e) {
      Throwable kafka = innermostKafkaException(e);
      System.err.println("FAILED " + kafka.getClass().getName() + ": " + kafka.getMessage());
      System.exit(2);
    }
  }

  private static void produce(Properties client, String topic, int count) throws Exception {
    Properties p = new Properties();
    p.putAll(client);
    p.put("acks", "all");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("max.block.ms", Long.toString(TIMEOUT_MS));
    p.put("delivery.timeout.ms", Long.toString(TIMEOUT_MS));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, "k" + i, "v" + i);
        r.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        sent.add(producer.send(r));
        // The first record is awaited alone: a refused login or a denied topic fails each
        // send() only after the client's next connection attempt, so sending them all first
        // would take one reconnect backoff per record to report it.
        if (i == 0) {
          sent.get(0).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static int consume(Properties client, String topic, int count) {
    Properties c = new Properties();
    c.putAll(client);
    c.put("group.id", "java-" + UUID.randomUUID());
    c.put("auto.offset.reset", "earliest");
    c.put("enable.auto.commit", "false");
    c.put("key.deserializer", StringDeserializer.class.getName());
    c.put("value.deserializer", StringDeserializer.class.getName());
    int seen = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + TIMEOUT_MS;
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          String seq = new String(r.headers().lastHeader("seq").value(), StandardCharsets.UTF_8);
          if (!r.value().equals("v" + seq) || !r.key().equals("k" + seq)) {
            throw new IllegalStateException("record " + r.offset() + " reads key " + r.key()
                                            + " value " + r.value() + " seq " + seq);
          }
          seen++;
        }
      }
      consumer.commitSync(Duration.ofMillis(TIMEOUT_MS));
    }
    return seen;
  }

  // The client wraps its errors (ExecutionException, KafkaException); the innermost Kafka
  // exception is the one that names the cause, e.g. SaslAuthenticationException.
  private static Throwable innermostKafkaException(Throwable e) {
    Throwable found = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KafkaException) {
        found = t;
      }
    }
    return found;
  }
}
