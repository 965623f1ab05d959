// The Java client's throughput run in the consumer benchmark (scripts/bench/consumer.ts), with
// CRC checks on. Kafka's own ConsumerPerformance tool hard-codes check.crcs=false (after
// reading any --command-property), so this is its loop with the client's default,
// check.crcs=true: subscribe with a fresh group, auto.offset.reset=earliest, poll(100 ms)
// until N records, count them and their value bytes. Run as a single-file source program:
//
//   scripts/kafka/java_tool.sh scripts/bench/consumer/ConsumerBench.java \
//     BROKERS TOPIC RECORDS FETCH_BYTES MAX_WAIT_MS GROUP IDLE_TIMEOUT_MS
//
// It prints one line, `RESULT {json}`: the window runs from the partition assignment (the end
// of the group join, where ConsumerPerformance's fetch.time.ms starts, and as the JavaScript
// runners measure) to the last record counted; CPU is the JVM's process CPU time (every
// thread: fetcher, GC, JIT) over that window.

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ConsumerBench {
  public static void main(String[] args) {
    String brokers = args[0];
    String topic = args[1];
    long records = Long.parseLong(args[2]);
    String fetchBytes = args[3];
    String maxWaitMs = args[4];
    String group = args[5];
    long idleTimeoutMs = Long.parseLong(args[6]);

    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kafkit-bench");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetchBytes);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetchBytes);
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, maxWaitMs);
    props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(2 * 1024 * 1024));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long count = 0;
    long bytes = 0;
    // Set when the group assigns the partitions (the end of the join, as ConsumerPerformance's
    // fetch.time.ms), else by the first record: nanoTime, process CPU ns.
    long[] started = {0, 0};
    long t1 = 0;
    long cpu1 = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          if (started[0] == 0) {
            started[0] = System.nanoTime();
            started[1] = os.getProcessCpuTime();
          }
        }
      });
      long lastSeen = System.nanoTime();
      while (count < records) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (batch.isEmpty()) {
          if ((System.nanoTime() - lastSeen) / 1_000_000 > idleTimeoutMs) {
            System.err.printf("no record for %d ms after %d of %d%n", idleTimeoutMs, count, records);
            System.exit(1);
          }
          continue;
        }
        lastSeen = System.nanoTime();
        if (started[0] == 0) {
          started[0] = System.nanoTime();
          started[1] = os.getProcessCpuTime();
        }
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          count++;
          if (record.value() != null) bytes += record.value().length;
          if (count == records) break;
        }
      }
      t1 = System.nanoTime();
      cpu1 = os.getProcessCpuTime();
      System.out.printf(
          "RESULT {\"messages\":%d,\"bytes\":%d,\"wallMs\":%.3f,\"cpuMs\":%.3f}%n",
          count, bytes, (t1 - started[0]) / 1e6, (cpu1 - started[1]) / 1e6);
      System.out.flush();
    }
  }
}
