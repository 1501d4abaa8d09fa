// Apache Kafka's Java Admin client and topic ids: creates a topic and reads the id
// CreateTopics (v7) answers, describes the topic by that id (Metadata v12 by id),
// deletes it by id (DeleteTopics v6) and describes the id once more. Used by
// tests/clients/test_topic_ids.py, compiled there with javac against the
// kafka-clients jar.
//
//   java -cp CLASSPATH TopicIds BOOTSTRAP TOPIC
//
// Prints one line per step: "created ID", "described NAME ID PARTITIONS", "deleted ID",
// then "after delete EXCEPTION" (the simple class name of what describing a deleted
// id failed with). Any other failure prints "FAILED <class>: <message>" to stderr and
// exits 2.
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;

public final class TopicIds {
  // Bounds every wait, so a broker that never answers fails the run instead of hanging it.
  private static final long TIMEOUT_S = 60;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: TopicIds BOOTSTRAP TOPIC");
      System.exit(64);
    }
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    String topic = args[1];
    try (Admin admin = Admin.create(p)) {
      Uuid id = admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)))
                    .topicId(topic)
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
      System.out.println("created " + id);
      TopicDescription d = describe(admin, id);
      System.out.println(
          "described " + d.name() + " " + d.topicId() + " " + d.partitions().size());
      admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id)))
          .all()
          .get(TIMEOUT_S, TimeUnit.SECONDS);
      System.out.println("deleted " + id);
      try {
        describe(admin, id);
        System.out.println("after delete still described");
      } catch (ExecutionException e) {
        System.out.println("after delete " + e.getCause().getClass().getSimpleName());
      }
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      System.err.println("FAILED " + cause.getClass().getName() + ": " + cause.getMessage());
      System.exit(2);
    }
  }

  private static TopicDescription describe(Admin admin, Uuid id) throws Exception {
    return admin.describeTopics(TopicCollection.ofTopicIds(List.of(id)))
        .topicIdValues()
        .get(id)
        .get(TIMEOUT_S, TimeUnit.SECONDS);
  }
}
