import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A plain Java producer, as a Java service would write to Kafka: the official client with its
 * default partitioner (murmur2 of the key) and a compression type. The integration tests use it to
 * check that the local tools read every codec a Java producer writes.
 *
 * <p>Run as a single-file program (Java 11+) with the broker's jars on the class path; one JVM
 * writes the same records to several topics, one producer (and codec) per topic, since starting a
 * JVM and compiling this file costs seconds:
 *
 * <pre>java -cp '.kafka/lib/*' test/integration/kafka/support/JavaProducer.java BROKERS FILE TOPIC=CODEC...</pre>
 *
 * <p>CODEC is a Kafka {@code compression.type}: none, gzip, snappy, lz4 or zstd. FILE holds one
 * record per line, {@code key<TAB>timestampMs<TAB>value}; an empty key sends a key-less record.
 * Prints {@code TOPIC=COUNT} per topic on stdout once every record is acknowledged.
 */
public class JavaProducer {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: JavaProducer BROKERS FILE TOPIC=none|gzip|snappy|lz4|zstd...");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].lastIndexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("not TOPIC=CODEC: " + args[i]);
      String topic = args[i].substring(0, eq);
      long sent = produce(args[0], topic, args[i].substring(eq + 1), lines);
      System.out.println(topic + "=" + sent);
    }
  }

  private static long produce(String brokers, String topic, String codec, List<String> lines) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Fuller batches, so that each record batch holds many records and compression matters.
    props.put(ProducerConfig.LINGER_MS_CONFIG, "50");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    long sent = 0;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (String line : lines) {
        if (line.isEmpty()) continue;
        String[] parts = line.split("\t", 3);
        if (parts.length != 3) {
          throw new IllegalArgumentException("not key<TAB>timestampMs<TAB>value: " + line);
        }
        String key = parts[0].isEmpty() ? null : parts[0];
        producer.send(new ProducerRecord<>(topic, null, Long.parseLong(parts[1]), key, parts[2]));
        sent++;
      }
      producer.flush();
    }
    return sent;
  }
}
