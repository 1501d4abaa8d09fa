"""The Spark side of bench/iot (run.py starts it in the venv of
scripts/install-spark.sh): the seed job of tests/lake/spark/iot_job.py on one
topic, reporting to its parent on stdout, one JSON object a line:

    {"jvm": PID}                       the JVM, whose CPU time and peak RSS the parent reads
    {"started": true}                  the query runs (it has read nothing yet)
    {"progress": {...}}                each micro-batch as it ends (StreamingQueryProgress)
    {"done": {...}}                    totals, once the query stopped

With --trigger available-now the query reads what the topic holds and stops; with
--trigger N (seconds, 0: as fast as it can) it runs until SIGTERM (the JVM exits
with it: pyspark's gateway ends when its Python parent does)."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "lake", "spark"))
import iot_job  # noqa: E402


def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--window", default=iot_job.WINDOW)
    ap.add_argument("--slide", default=None)
    ap.add_argument("--watermark", default=iot_job.WATERMARK)
    ap.add_argument("--max-offsets-per-trigger", type=int, default=100000)
    ap.add_argument("--trigger", default="available-now")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--memory", default="2g")
    o = ap.parse_args()

    from pyspark.sql.streaming import StreamingQueryListener

    spark = iot_job.session(app="sluice-bench-iot", cores=o.cores, memory=o.memory)
    spark.sparkContext.setLogLevel("ERROR")
    say({"jvm": spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()})

    class Progress(StreamingQueryListener):
        def onQueryStarted(self, event):
            say({"started": True})

        def onQueryProgress(self, event):
            say({"progress": json.loads(event.progress.json)})

        def onQueryIdle(self, event):
            pass

        def onQueryTerminated(self, event):
            pass

    spark.streams.addListener(Progress())
    source = iot_job.kafka_source(spark, o.bootstrap, o.topic, o.max_offsets_per_trigger)
    trigger_s = None if o.trigger == "available-now" else float(o.trigger)
    query = iot_job.run(spark, source, o.out, o.checkpoint, trigger_s=trigger_s, window=o.window, slide=o.slide,
                        watermark=o.watermark)
    query.awaitTermination()
    say({"done": iot_job.totals(query)})
    spark.stop()


if __name__ == "__main__":
    sys.exit(main())
