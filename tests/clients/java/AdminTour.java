// Apache Kafka's Java Admin client through every admin API it has for a broker
// like this one, so that a test can read from the client's request log which
// version of each API it chose. Used by tests/clients/test_java_client.py,
// compiled there with javac against the kafka-clients jar.
//
//   java -cp CLASSPATH AdminTour CLIENT.properties TOPIC
//
// Creates TOPIC (CreateTopics), describes the cluster (DescribeCluster) and the
// topic (Metadata), adds a partition (CreatePartitions), reads and changes its
// configs (DescribeConfigs, IncrementalAlterConfigs), asks for offsets
// (ListOffsets), deletes records (DeleteRecords), describes log dirs
// (DescribeLogDirs), ACLs (DescribeAcls), client quotas (DescribeClientQuotas)
// and SCRAM users (DescribeUserScramCredentials), then deletes the topic
// (DeleteTopics). A call the broker refuses for a reason of its own (ACLs off:
// SECURITY_DISABLED) still shows the version chosen, so such refusals are
// printed ("refused NAME: CLASS") and the tour goes on. Prints "toured" at the
// end and exits 0; any other failure prints "FAILED <class>: <message>" to
// stderr and exits 2.
import java.io.FileInputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaFilter;

public final class AdminTour {
  // Bounds every wait, so a broker that never answers fails the run instead of hanging it.
  private static final long TIMEOUT_S = 60;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AdminTour CLIENT.properties TOPIC");
      System.exit(64);
    }
    Properties p = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      p.load(in);
    }
    p.put("default.api.timeout.ms", "60000");
    String topic = args[1];
    try (Admin admin = Admin.create(p)) {
      tour(admin, topic);
      System.out.println("toured");
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      System.err.println("FAILED " + cause.getClass().getName() + ": " + cause.getMessage());
      System.exit(2);
    }
  }

  private static void tour(Admin admin, String topic) throws Exception {
    TopicPartition p0 = new TopicPartition(topic, 0);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    await(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all());
    await(admin.describeCluster().nodes());
    await(admin.describeTopics(List.of(topic)).allTopicNames());
    await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all());
    await(admin.describeConfigs(List.of(resource)).all());
    AlterConfigOp retention = new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"),
                                                AlterConfigOp.OpType.SET);
    await(admin.incrementalAlterConfigs(Map.of(resource, List.of(retention))).all());
    await(admin.listOffsets(Map.of(p0, OffsetSpec.latest())).all());
    await(admin.listOffsets(Map.of(p0, OffsetSpec.maxTimestamp())).all());
    await(admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(0))).all());
    await(admin.describeLogDirs(List.of(0)).allDescriptions());
    tolerate("DescribeAcls", admin.describeAcls(AclBindingFilter.ANY).values());
    tolerate("DescribeClientQuotas", admin.describeClientQuotas(ClientQuotaFilter.all()).entities());
    tolerate("DescribeUserScramCredentials", admin.describeUserScramCredentials().all());
    await(admin.deleteTopics(List.of(topic)).all());
  }

  private static <T> T await(KafkaFuture<T> f) throws Exception {
    return f.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static <T> void tolerate(String api, KafkaFuture<T> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      System.out.println("refused " + api + ": " + e.getCause().getClass().getSimpleName());
    }
  }
}
