"""The seed 004 Spark Structured Streaming job, written down once for the oracle
test (tests/lake/test_spark_oracle.py) and bench/iot: read IoT events from Kafka,
drop the rows that break the rules, and aggregate per device over one-minute
event-time windows with a two-minute watermark, in append mode, into Parquet
partitioned by year/month/day/hour.

The rules are those of examples/iot-events/iot-event.schema.json, which sluice's
`validate` stage enforces; they are spelled here in Spark SQL on a VARIANT (Spark
4's parsed JSON), because only a VARIANT keeps the JSON type of each field: a
`from_json` schema would turn "high" into NULL and 50.5 into 50 without a trace.
The original job's three bugs are not repeated: the flag counts are counts of the
condition (not of a column that was always 0), a `+00:00` offset parses, and
nothing here hides an invalid row (they are dropped, as in the seed, and sluice's
DLQ holds them; the test compares the aggregates).

Run as a program (in the venv of scripts/install-spark.sh) it runs the job to the
end of the topic and prints one JSON line with the query's progress totals:

    .cache/spark/venv/bin/python tests/lake/spark/iot_job.py --bootstrap 127.0.0.1:9092 \
        --topic iot-events --out /tmp/aggregates --checkpoint /tmp/ckpt
"""

import argparse
import glob
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
CACHE = os.path.join(REPO_ROOT, ".cache", "spark")

DEVICE_TYPES = {  # type: (unit, low, high); a boolean type allows 0 and 1 only
    "temperature_sensor": ("celsius", 15, 35),
    "humidity_sensor": ("percent", 30, 90),
    "pressure_sensor": ("hPa", 980, 1050),
    "motion_detector": ("boolean", None, None),
    "light_sensor": ("lux", 0, 100000),
    "smart_thermostat": ("celsius", 16, 28),
    "door_sensor": ("boolean", None, None),
    "window_sensor": ("boolean", None, None),
}
WINDOW = "1 minute"
WATERMARK = "2 minutes"
MAX_FUTURE = "1 day"


def kafka_jars():
    """The Kafka source's jars that pyspark does not ship itself (same artifact, other
    version: pyspark's wins, so two copies never meet on the class path)."""
    import pyspark

    def artifact(path):
        name = os.path.basename(path)[:-len(".jar")]
        return name.rsplit("-", 1)[0]

    shipped = {artifact(p) for p in glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "*.jar"))}
    jars = sorted(p for p in glob.glob(os.path.join(CACHE, "jars", "*.jar")) if artifact(p) not in shipped)
    if not any("spark-sql-kafka" in p for p in jars):
        raise RuntimeError("Spark's Kafka source is not in %s/jars: run scripts/install-spark.sh" % CACHE)
    return jars


def session(app="sluice-iot-oracle", cores=2, memory="1g"):
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master("local[%d]" % cores).appName(app)
            .config("spark.jars", ",".join(kafka_jars()))
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(cores))
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", memory)
            .getOrCreate())


def _type(v, path):
    """The JSON type of field `path` of VARIANT v as schema_of_variant names it
    (STRING, BIGINT, DECIMAL(4,2), DOUBLE, BOOLEAN, OBJECT<...>, VOID for null),
    or NULL when the field is missing."""
    from pyspark.sql import functions as F
    return F.schema_of_variant(F.try_variant_get(v, path, "variant"))


def valid_events(raw):
    """raw: a DataFrame with a string column `value` (the record). Returns the rows
    that pass the rules, with typed columns and `event_time`."""
    from pyspark.sql import functions as F

    v = F.col("v")
    # try_variant_get everywhere: Spark does not evaluate AND left to right, so a
    # cast of "high" to double must give NULL (the rule fails), not stop the query.

    def is_string(f):
        return _type(v, "$." + f) == F.lit("STRING")

    def is_number(f):
        return _type(v, "$." + f).rlike("^(TINYINT|SMALLINT|INT|BIGINT|DOUBLE|FLOAT|DECIMAL.*)$")

    def number(f):
        return F.try_variant_get(v, "$." + f, "double")

    def is_integer(f):  # JSON Schema: a number without a fractional part
        return is_number(f) & (number(f) == F.floor(number(f)))

    def length(f):
        return F.length(F.try_variant_get(v, "$." + f, "string"))

    def missing(f):
        return _type(v, "$." + f).isNull()

    def between(f, low, high):
        return (number(f) >= low) & (number(f) <= high)

    text = F.try_variant_get(v, "$.timestamp", "string")
    # Epoch milliseconds as digits, or ISO 8601 with Z, +HH:MM or no offset (UTC).
    event_time = F.when(text.rlike("^[0-9]+$"), F.timestamp_millis(F.expr("try_cast(ts_text AS BIGINT)"))) \
        .otherwise(F.expr("try_cast(ts_text AS TIMESTAMP)"))

    per_type = None
    for name, (unit, low, high) in DEVICE_TYPES.items():
        value_ok = (number("value").isin(0, 1)) if low is None else between("value", low, high)
        rule = (F.try_variant_get(v, "$.device_type", "string") != F.lit(name)) | \
               ((F.try_variant_get(v, "$.unit", "string") == F.lit(unit)) & value_ok)
        per_type = rule if per_type is None else per_type & rule

    rules = [
        _type(v, "$").startswith("OBJECT"),
        is_string("device_id") & length("device_id").between(1, 64),
        is_string("device_type") & F.try_variant_get(v, "$.device_type", "string").isin(*DEVICE_TYPES),
        is_string("timestamp") & (length("timestamp") <= 40),
        is_string("location") & length("location").between(1, 128),
        is_number("value"),
        is_string("unit"),
        is_number("event_duration") & between("event_duration", 0.1, 3600),
        missing("battery_level") | (is_integer("battery_level") & between("battery_level", 0, 100)),
        missing("signal_strength") | (is_integer("signal_strength") & between("signal_strength", -120, -30)),
        missing("metadata") | _type(v, "$.metadata").startswith("OBJECT"),
        per_type,
        F.col("event_time").isNotNull(),
        F.col("event_time") <= F.current_timestamp() + F.expr("INTERVAL " + MAX_FUTURE),
    ]
    ok = None
    for r in rules:
        r = F.coalesce(r, F.lit(False))  # a NULL (missing field, not JSON) breaks the rule
        ok = r if ok is None else ok & r

    parsed = raw.select(F.try_parse_json(F.col("value")).alias("v"))
    parsed = parsed.withColumn("ts_text", text).withColumn("event_time", event_time)
    return parsed.where(ok).select(
        F.try_variant_get(v, "$.device_id", "string").alias("device_id"),
        F.try_variant_get(v, "$.device_type", "string").alias("device_type"),
        F.try_variant_get(v, "$.location", "string").alias("location"),
        F.try_variant_get(v, "$.unit", "string").alias("unit"),
        number("value").alias("value"),
        F.try_variant_get(v, "$.battery_level", "int").alias("battery_level"),
        F.try_variant_get(v, "$.signal_strength", "int").alias("signal_strength"),
        F.col("event_time"))


def aggregates(events, window=WINDOW, slide=None, watermark=WATERMARK):
    """The seed's aggregation: 1-minute tumbling windows, 2-minute watermark (bench/iot
    also runs it with other sizes and hopping windows)."""
    from pyspark.sql import functions as F

    by = F.window("event_time", window) if slide is None else F.window("event_time", window, slide)
    agg = (events.withWatermark("event_time", watermark)
           .groupBy(by, "device_id", "device_type", "location", "unit")
           .agg(F.count(F.lit(1)).alias("event_count"),
                F.avg("value").alias("avg_value"),
                F.min("value").alias("min_value"),
                F.max("value").alias("max_value"),
                F.stddev("value").alias("stddev_value"),  # sample, NULL under two values
                F.count_if(F.col("battery_level") < 20).alias("low_battery_count"),
                F.count_if(F.col("signal_strength") < -90).alias("weak_signal_count")))
    start = F.col("window.start")
    return agg.select(start.alias("window_start"), F.col("window.end").alias("window_end"),
                      "device_id", "device_type", "location", "unit", "event_count", "avg_value", "min_value",
                      "max_value", "stddev_value", "low_battery_count", "weak_signal_count",
                      F.year(start).alias("year"), F.month(start).alias("month"),
                      F.dayofmonth(start).alias("day"), F.hour(start).alias("hour"))


def kafka_source(spark, bootstrap, topic, max_offsets_per_trigger):
    return (spark.readStream.format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .option("maxOffsetsPerTrigger", str(max_offsets_per_trigger))
            .load()
            .selectExpr("CAST(value AS STRING) AS value"))


def run(spark, source, out, checkpoint, trigger_s=None, **window):
    """Runs the job over `source` (a streaming DataFrame with `value`) into Parquet
    at `out`. With trigger_s None: Trigger.AvailableNow (every record there at the
    start, in micro-batches of maxOffsetsPerTrigger, then the query stops); else a
    processing-time trigger, and the caller stops the query. `window`: the
    arguments of aggregates(). Returns the query."""
    writer = (aggregates(valid_events(source), **window).writeStream.format("parquet")
              .option("path", out).option("checkpointLocation", checkpoint)
              .outputMode("append").partitionBy("year", "month", "day", "hour"))
    writer = writer.trigger(availableNow=True) if trigger_s is None else \
        writer.trigger(processingTime="%g seconds" % trigger_s)
    return writer.start()


def totals(query):
    """Input rows, batches and rows dropped by the watermark over the query's progress."""
    progress = query.recentProgress
    return {
        "batches": len(progress),
        "input_rows": sum(p.get("numInputRows", 0) for p in progress),
        "rows_dropped_by_watermark": sum(op.get("numRowsDroppedByWatermark", 0)
                                         for p in progress for op in p.get("stateOperators", [])),
        "watermark": (progress[-1].get("eventTime", {}) or {}).get("watermark") if progress else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", default="iot-events")
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--max-offsets-per-trigger", type=int, default=100)
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args()
    spark = session(cores=args.cores)
    spark.sparkContext.setLogLevel("WARN")
    started = time.monotonic()
    query = run(spark, kafka_source(spark, args.bootstrap, args.topic, args.max_offsets_per_trigger), args.out,
                args.checkpoint)
    query.awaitTermination()
    print(json.dumps({**totals(query), "seconds": round(time.monotonic() - started, 3)}), flush=True)
    spark.stop()


if __name__ == "__main__":
    sys.exit(main())
