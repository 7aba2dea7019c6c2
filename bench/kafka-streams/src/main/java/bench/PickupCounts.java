package bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The Kafka Streams peer of the project's pipeline {@code pickup-5m} (handler
 * {@code rides-tumbling-by-pickup}): a 5-minute tumbling count per {@code PULocationID} with 60
 * minutes grace, event time from {@code tpep_pickup_datetime} (zone-less, read as UTC, as the
 * project's {@code parseDatetimeMs} reads it), on rides as datagen writes them (JSON values).
 *
 * <p>The bench keys those rides by {@code PULocationID}, the count's key, so this app counts with
 * {@code groupByKey} and no repartition topic: each task then keeps stream time for one source
 * partition, exactly as the project's handler keeps one stream time per partition, and both
 * drop the same rides as late, so their counts can be checked equal window by window. (Keyed by
 * {@code DOLocationID}, a Streams app must repartition by pickup zone; after that, stream time
 * is the maximum over all source partitions and which rides are late depends on how the
 * consumer interleaved the partitions: 10 of 10,000 rides differed in a first try here.)
 *
 * <p>Run by {@code bench/kafkaStreamsPeer.ts}. Arguments: {@code <bootstrap> <topic>
 * <application.id> <at_least_once|exactly_once_v2> <state.dir>}. Protocol on stdio, one line
 * each: it prints {@code RUNNING} once every task runs; on the line {@code dump <file>} on
 * stdin it writes every window of the store as JSON lines {@code {"key":..,"startMs":..,"count":..}}
 * and prints {@code DUMPED <windows> <droppedRecords>}; on {@code stop} or end of input it closes
 * and exits 0. Anything else it prints goes to stderr.
 */
public final class PickupCounts {
  /** The window store's name; its changelog is the durable result, as the DynamoDB table is the project's. */
  static final String STORE = "pickup-5m-counts";

  private static final Duration WINDOW_SIZE = Duration.ofMinutes(5);
  private static final Duration GRACE = Duration.ofMinutes(60);
  private static final DateTimeFormatter TLC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private PickupCounts() {}

  /**
   * The fields the count reads, once per record, in the value deserializer: the pickup time for
   * the extractor, and PULocationID so a ride without it fails as the project's schema fails it
   * (the count groups by the record key, which the bench sets to PULocationID).
   */
  record Ride(int puLocationId, long pickupMs) {}

  /**
   * Streams JSON with Jackson's parser and keeps the two fields: what a tuned Streams app would do
   * (a full data-binding POJO costs more). A record without them fails, as the project's schema
   * fails it; datagen's bench rides are all well formed.
   */
  static final class RideDeserializer implements Deserializer<Ride> {
    private final JsonFactory json = new JsonFactory();

    @Override
    public Ride deserialize(String topic, byte[] data) {
      Integer pu = null;
      Long pickupMs = null;
      try (JsonParser p = json.createParser(data)) {
        if (p.nextToken() != JsonToken.START_OBJECT) throw new SerializationException("not a JSON object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          if ("PULocationID".equals(name)) pu = p.getIntValue();
          else if ("tpep_pickup_datetime".equals(name))
            pickupMs = LocalDateTime.parse(p.getText(), TLC).toInstant(ZoneOffset.UTC).toEpochMilli();
          else p.skipChildren();
        }
      } catch (IOException | RuntimeException e) {
        throw new SerializationException("ride at topic " + topic + ": " + e.getMessage(), e);
      }
      if (pu == null || pickupMs == null)
        throw new SerializationException("ride without PULocationID or tpep_pickup_datetime");
      return new Ride(pu, pickupMs);
    }
  }

  /** Event time is the pickup time, as the pipeline's {@code time: { field: 'tpep_pickup_datetime' }}. */
  static final class PickupTimeExtractor implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      return ((Ride) record.value()).pickupMs();
    }
  }

  static Topology topology(String topic) {
    Serde<Ride> rideSerde =
        Serdes.serdeFrom(
            (Serializer<Ride>)
                (t, r) -> {
                  throw new UnsupportedOperationException("rides are only read");
                },
            new RideDeserializer());
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            topic,
            Consumed.with(Serdes.String(), rideSerde).withTimestampExtractor(new PickupTimeExtractor()))
        // The bench keys rides by PULocationID here, so the count needs no repartition and
        // stream time stays per source partition, as in the project's handler; see the class doc.
        .groupByKey(Grouped.with(Serdes.String(), rideSerde))
        .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_SIZE, GRACE))
        .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(STORE).withKeySerde(Serdes.String()));
    return builder.build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: PickupCounts <bootstrap> <topic> <application.id> <at_least_once|exactly_once_v2> <state.dir>");
      System.exit(64);
    }
    String guarantee = args[3];
    if (!guarantee.equals(StreamsConfig.AT_LEAST_ONCE) && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
      System.err.println("processing guarantee must be at_least_once or exactly_once_v2, got " + guarantee);
      System.exit(64);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[2]);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
    // 100 ms is the exactly_once_v2 default; at_least_once defaults to 30 s. Both get 100 ms so
    // the committed offsets, which the bench watches to see the input done, lag processing by
    // at most 100 ms under either guarantee (a 30 s interval would add up to 30 s to ALOS).
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(topology(args[1]), props);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) running.countDown();
          if (now == KafkaStreams.State.ERROR) {
            System.err.println("Kafka Streams went to ERROR");
            System.exit(70);
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          System.err.println("stream thread failed: " + e);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
              .SHUTDOWN_CLIENT;
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
    streams.start();
    running.await();
    System.out.println("RUNNING");
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("dump ")) {
        long windows = dump(streams, Path.of(line.substring(5)));
        System.out.println("DUMPED " + windows + " " + droppedRecords(streams));
        System.out.flush();
      } else if (line.equals("stop")) {
        break;
      }
    }
    streams.close(Duration.ofSeconds(30));
    System.exit(0);
  }

  /** Every window of the store, through interactive queries (cache and RocksDB, as a reader sees them). */
  static long dump(KafkaStreams streams, Path file) throws IOException {
    ReadOnlyWindowStore<String, Long> store =
        streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.windowStore()));
    long n = 0;
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        KeyValueIterator<Windowed<String>, Long> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Windowed<String>, Long> kv = it.next();
        out.printf("{\"key\":\"%s\",\"startMs\":%d,\"count\":%d}%n", kv.key.key(), kv.key.window().start(), kv.value);
        n++;
      }
    }
    return n;
  }

  /** Records dropped as late (or with a bad timestamp), summed over tasks: the project's late dead letters. */
  static long droppedRecords(KafkaStreams streams) {
    Map<String, Double> byTask = new HashMap<>();
    streams.metrics().forEach(
        (name, metric) -> {
          if (name.name().equals("dropped-records-total") && name.group().equals("stream-task-metrics"))
            byTask.merge(name.tags().toString(), ((Number) metric.metricValue()).doubleValue(), Double::sum);
        });
    return Math.round(byTask.values().stream().mapToDouble(Double::doubleValue).sum());
  }
}
