#!/usr/bin/env bash
# Runs one of Kafka's Java tool classes with the cached Kafka jars and a quiet (WARN) log4j2
# config, e.g.:
#   java_tool.sh org.apache.kafka.tools.ConsoleProducer --bootstrap-server HOST:PORT --topic t
#   java_tool.sh org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server ... \
#     --topic t --from-beginning --max-messages 2
# Other classes: org.apache.kafka.tools.{VerifiableProducer,VerifiableConsumer,
# ProducerPerformance,ConsumerPerformance}. Uses $KAFKA_LIBS if set, else fetch.sh's cache.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <MainClass> [args...]" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
libs="${KAFKA_LIBS:-$("$here/fetch.sh")}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java="$JAVA_HOME/bin/java"
else
  java="$(command -v java)" || { echo "java not found on PATH or in \$JAVA_HOME" >&2; exit 1; }
fi

# Small heap and serial GC suit short-lived clients on a small machine. Extra JVM flags can be
# given in $KAFKA_TOOL_JAVA_OPTS (e.g. -XX:TieredStopAtLevel=1 to start faster).
# shellcheck disable=SC2086 # word splitting of the extra flags is intended
exec "$java" -Xms64m -Xmx512m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
  ${KAFKA_TOOL_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile="$here/log4j2-tools.properties" \
  -cp "$libs/*" "$@"
