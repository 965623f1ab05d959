// The Java client's keyed run in the producer benchmark (scripts/bench/producer.ts). Kafka's
// ProducerPerformance tool sends records without a key, so this is its loop with keys: one
// KafkaProducer<byte[], byte[]> with the given properties, one send() per record from one
// thread (send() blocks while buffer.memory is full), a callback per record. Record i (warm-up
// included) has the key `key-(i % KEYS)` as UTF-8 bytes — the JavaScript runners' order — and
// the value pattern of their payload(); the default partitioner puts it on
// BuiltInPartitioner.partitionForKey. Run as a single-file source program:
//
//   scripts/kafka/java_tool.sh scripts/bench/producer/ProducerBench.java \
//     BROKERS TOPIC RECORDS WARMUP SIZE KEYS [property=value ...]
//
// After the WARMUP records it measures RECORDS more and, once all are acknowledged (flush()),
// prints one line before closing the producer, `RESULT {json}`: messages, wallMs (first
// measured send to last acknowledgement), p50Ms and p99Ms (send() call to callback, nearest
// rank over the measured records). Its CPU time is read by the orchestrator from /proc
// (`java.ts`), as for ProducerPerformance.

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ProducerBench {
  public static void main(String[] args) throws Exception {
    String brokers = args[0];
    String topic = args[1];
    int records = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int size = Integer.parseInt(args[4]);
    int keyCount = Integer.parseInt(args[5]);

    Properties props = new Properties();
    for (int i = 6; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);

    byte[][] keys = new byte[keyCount][];
    for (int i = 0; i < keyCount; i++) keys[i] = ("key-" + i).getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[size];
    for (int i = 0; i < size; i++) value[i] = (byte) (i * 131 + 17);

    // Send→ack latency of each measured record (ms), and the time of the last acknowledgement;
    // the callbacks all run on the producer's I/O thread.
    double[] latencies = new double[records];
    long[] lastAck = {0};
    AtomicReference<Exception> failure = new AtomicReference<>();
    long t0 = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < warmup + records; i++) {
        int measured = i - warmup;
        long sent = System.nanoTime();
        if (measured == 0) t0 = sent;
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(topic, keys[i % keyCount], value);
        producer.send(record, (metadata, e) -> {
          long now = System.nanoTime();
          if (e != null) failure.compareAndSet(null, e);
          if (measured >= 0) {
            latencies[measured] = (now - sent) / 1e6;
            lastAck[0] = now;
          }
        });
      }
      producer.flush();
      if (failure.get() != null) throw failure.get();
      Arrays.sort(latencies);
      System.out.printf(
          "RESULT {\"messages\":%d,\"wallMs\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f}%n",
          records, (lastAck[0] - t0) / 1e6, rank(latencies, 0.5), rank(latencies, 0.99));
      System.out.flush();
    }
  }

  /** The `q` quantile of sorted values, nearest rank. */
  static double rank(double[] sorted, double q) {
    return sorted[Math.max(1, (int) Math.ceil(q * sorted.length)) - 1];
  }
}
