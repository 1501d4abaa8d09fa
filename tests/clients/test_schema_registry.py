"""`sluice registry` — Confluent Schema Registry's REST API stored in `_schemas` — against a
real `sluice broker` on 127.0.0.1: the seed runbook's scenario 3 with its curl commands
verbatim (only the registry's address is replaced), every endpoint with its errors, a
restart that replays everything from `_schemas`, and confluent-kafka's SchemaRegistryClient
with its AvroSerializer/AvroDeserializer (PyPI, the venv of scripts/install-py-clients.sh)
producing and consuming through the broker."""

import json
import os
import subprocess
import unittest

import broker  # noqa: F401
from broker import BrokerTestCase, unique_name, wait_until
from registry_process import RegistryProcess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_PYTHON = os.path.join(REPO_ROOT, ".cache", "pyclients", "venv", "bin", "python")
SUBJECT = "market.ticks.asx-value"


def setUpModule():
    subprocess.run([os.path.join(REPO_ROOT, "scripts", "install-py-clients.sh")], check=True,
                   timeout=900)


def tick_schema(*extra_fields):
    """The seed's MarketTick (seed-systems.md S3) with `extra_fields` appended."""
    micros = {"type": "long", "logicalType": "timestamp-micros"}
    fields = [{"name": "exchange", "type": "string"}, {"name": "symbol", "type": "string"},
              {"name": "exchange_sequence_number", "type": "long"},
              {"name": "exchange_timestamp", "type": micros}, {"name": "price", "type": "double"},
              {"name": "volume", "type": "long"}, {"name": "message_id", "type": "string"},
              {"name": "ingestion_timestamp", "type": micros}]
    return {"type": "record", "name": "MarketTick", "namespace": "com.k2.marketdata",
            "fields": fields + list(extra_fields)}


def optional(name):
    return {"name": name, "type": ["null", "double"], "default": None}


# Versions 1-4 evolve compatibly (optional fields with defaults), as the runbook's history.
HISTORY = [tick_schema(), tick_schema(optional("bid")),
           tick_schema(optional("bid"), optional("ask")),
           tick_schema(optional("bid"), optional("ask"), optional("vwap"))]
# Adds a field old data lacks, without a default: BACKWARD-incompatible.
INCOMPATIBLE = tick_schema(optional("bid"), optional("ask"), optional("vwap"),
                           {"name": "trade_condition", "type": "string"})
# The fix: the same field, optional with a default.
CORRECTED = tick_schema(optional("bid"), optional("ask"), optional("vwap"),
                        {"name": "trade_condition", "type": ["null", "string"], "default": None})

# seeds/003 scenario 3, as written there.
RUNBOOK = {
    "versions": "curl http://localhost:8081/subjects/market.ticks.asx-value/versions",
    "details": "curl http://localhost:8081/subjects/market.ticks.asx-value/versions/5 | jq",
    "config": "curl http://localhost:8081/config/market.ticks.asx-value",
    "register_corrected": """curl -X POST http://localhost:8081/subjects/market.ticks.asx-value/versions \\
  -H "Content-Type: application/json" \\
  -d @corrected_schema.json""",
    "reregister": """curl -X POST http://localhost:8081/subjects/market.ticks.asx-value/versions \\
  -H "Content-Type: application/json" \\
  -d @schemas/market_ticks_asx.avsc""",
    "ci_check": """curl -X POST http://schema-registry:8081/compatibility/subjects/market.ticks.asx-value/versions/latest \\
  -H "Content-Type: application/json" \\
  -d @new_schema.json \\
| jq -e '.is_compatible == true'""",
    "backup": """curl http://localhost:8081/subjects | jq -r '.[]' | while read subject; do
  curl http://localhost:8081/subjects/$subject/versions/latest \\
    > backups/schemas/${subject}_$(date +%Y%m%d).json
done""",
}


class SchemaRegistryTestCase(BrokerTestCase):
    def setUp(self):
        super().setUp()
        self.registries = []
        self.registry = self.start_registry()

    def start_registry(self):
        r = RegistryProcess(self.broker.bootstrap, self._tmp.name).start()
        self.registries.append(r)
        return r

    def tearDown(self):
        for r in self.registries:
            if r.stop() not in (0, None):
                self.fail("registry exited badly\n" + r.stderr_tail())
        super().tearDown()

    def ok(self, method, path, body=None, status=200):
        got, reply, _ = self.registry.call(method, path, body)
        self.assertEqual(got, status, "%s %s -> %r\n%s" % (method, path, reply,
                                                           self.registry.stderr_tail()))
        return reply

    def error(self, method, path, body, status, code):
        got, reply, ctype = self.registry.call(method, path, body)
        self.assertEqual((got, reply.get("error_code")), (status, code), reply)
        self.assertTrue(reply["message"], reply)
        self.assertEqual(ctype, "application/vnd.schemaregistry.v1+json")
        return reply["message"]

    def register(self, subject, schema):
        return self.ok("POST", "/subjects/%s/versions" % subject, {"schema": json.dumps(schema)})["id"]


class RunbookScenario3(SchemaRegistryTestCase):
    def run_runbook(self, step, workdir):
        cmd = RUNBOOK[step].replace("http://localhost:8081", self.registry.url) \
                           .replace("http://schema-registry:8081", self.registry.url)
        return subprocess.run(["bash", "-c", cmd], cwd=workdir, capture_output=True, text=True,
                              timeout=60)

    def runbook_json(self, step, workdir):
        r = self.run_runbook(step, workdir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_incompatible_refused_corrected_accepted_deleted_restored(self):
        work = os.path.join(self._tmp.name, "runbook")
        os.makedirs(os.path.join(work, "schemas"))
        os.makedirs(os.path.join(work, "backups", "schemas"))
        self.ok("PUT", "/config/" + SUBJECT, {"compatibility": "BACKWARD"})
        ids = [self.register(SUBJECT, s) for s in HISTORY]
        self.assertEqual(ids, [1, 2, 3, 4])

        # Detection: a producer's registration is refused, and the alert's metric counts it.
        self.assertEqual(self.registry.metric("schema_registry_compatibility_failures_total"), 0)
        message = self.error("POST", "/subjects/%s/versions" % SUBJECT,
                             {"schema": json.dumps(INCOMPATIBLE)}, 409, 409)
        self.assertIn("trade_condition", message)
        self.assertEqual(self.registry.metric("schema_registry_compatibility_failures_total"), 1)

        # Triage.
        self.assertEqual(self.runbook_json("versions", work), [1, 2, 3, 4])
        self.assertEqual(self.runbook_json("config", work), {"compatibilityLevel": "BACKWARD"})

        # CI's check refuses the incompatible schema and passes the corrected one.
        with open(os.path.join(work, "new_schema.json"), "w") as f:
            json.dump({"schema": json.dumps(INCOMPATIBLE)}, f)
        self.assertEqual(self.run_runbook("ci_check", work).returncode, 1)
        with open(os.path.join(work, "new_schema.json"), "w") as f:
            json.dump({"schema": json.dumps(CORRECTED)}, f)
        self.assertEqual(self.run_runbook("ci_check", work).returncode, 0)

        # Case A: register the corrected schema.
        with open(os.path.join(work, "corrected_schema.json"), "w") as f:
            json.dump({"schema": json.dumps(CORRECTED)}, f)
        self.assertEqual(self.runbook_json("register_corrected", work), {"id": 5})
        details = self.runbook_json("details", work)
        self.assertEqual((details["subject"], details["version"], details["id"]), (SUBJECT, 5, 5))
        self.assertEqual(json.loads(details["schema"]), CORRECTED)

        # Backups: one file per subject, the latest version.
        r = self.run_runbook("backup", work)
        self.assertEqual(r.returncode, 0, r.stderr)
        backups = os.listdir(os.path.join(work, "backups", "schemas"))
        self.assertEqual(len(backups), 1)
        with open(os.path.join(work, "backups", "schemas", backups[0])) as f:
            self.assertEqual(json.load(f)["version"], 5)

        # Case B: the subject is deleted by accident, then restored from the .avsc in git.
        self.assertEqual(self.ok("DELETE", "/subjects/" + SUBJECT), [1, 2, 3, 4, 5])
        r = self.run_runbook("versions", work)
        self.assertEqual(json.loads(r.stdout)["error_code"], 40401, r.stdout)
        with open(os.path.join(work, "schemas", "market_ticks_asx.avsc"), "w") as f:
            json.dump(CORRECTED, f, indent=2)
        # The same schema keeps its id; numbering goes on after the deleted versions.
        self.assertEqual(self.runbook_json("reregister", work), {"id": 5})
        self.assertEqual(self.runbook_json("versions", work), [6])



LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
          "FULL_TRANSITIVE"]


class Endpoints(SchemaRegistryTestCase):
    def test_register_read_and_look_up(self):
        self.assertEqual(self.ok("GET", "/subjects"), [])
        self.assertEqual(self.register("ticks-value", HISTORY[0]), 1)
        # Registering again (whitespace aside) changes nothing and answers the same id.
        body = json.dumps({"schema": json.dumps(HISTORY[0], indent=4)})
        self.assertEqual(self.ok("POST", "/subjects/ticks-value/versions", body), {"id": 1})
        # The same schema under another subject keeps its id.
        self.assertEqual(self.register("other-value", HISTORY[0]), 1)
        self.assertEqual(self.register("ticks-value", HISTORY[1]), 2)
        self.assertEqual(self.ok("GET", "/subjects"), ["other-value", "ticks-value"])
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions"), [1, 2])
        latest = self.ok("GET", "/subjects/ticks-value/versions/latest")
        self.assertEqual((latest["subject"], latest["version"], latest["id"]), ("ticks-value", 2, 2))
        # Stored minified: the registry serves one compact form.
        self.assertEqual(latest["schema"], json.dumps(HISTORY[1], separators=(",", ":")))
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions/1/schema"), HISTORY[0])
        self.assertEqual(self.ok("GET", "/schemas/ids/2"), {"schema": latest["schema"]})
        self.assertEqual(self.ok("GET", "/schemas/ids/1/versions"),
                         [{"subject": "other-value", "version": 1},
                          {"subject": "ticks-value", "version": 1}])
        self.assertEqual(self.ok("GET", "/schemas/ids/1/subjects"), ["other-value", "ticks-value"])
        found = self.ok("POST", "/subjects/ticks-value", {"schema": json.dumps(HISTORY[0])})
        self.assertEqual((found["version"], found["id"]), (1, 1))
        # application/json is accepted as well as Confluent's own type.
        status, reply, _ = self.registry.call("POST", "/subjects/ticks-value",
                                              {"schema": json.dumps(HISTORY[1])},
                                              content_type="application/json")
        self.assertEqual((status, reply["version"]), (200, 2))
        self.assertEqual(self.ok("GET", "/mode"), {"mode": "READWRITE"})
        self.assertEqual(self.ok("GET", "/schemas/types"), ["AVRO"])

    def test_errors(self):
        self.register("ticks-value", HISTORY[0])
        self.error("GET", "/subjects/nope/versions", None, 404, 40401)
        self.error("GET", "/subjects/nope/versions/1", None, 404, 40401)
        self.error("GET", "/subjects/ticks-value/versions/7", None, 404, 40402)
        self.error("GET", "/subjects/ticks-value/versions/abc", None, 422, 42202)
        self.error("GET", "/subjects/ticks-value/versions/0", None, 422, 42202)
        self.error("GET", "/schemas/ids/99", None, 404, 40403)
        self.error("POST", "/subjects/ticks-value", {"schema": json.dumps(HISTORY[1])}, 404, 40403)
        self.error("POST", "/subjects/nope", {"schema": json.dumps(HISTORY[0])}, 404, 40401)
        message = self.error("POST", "/subjects/ticks-value/versions",
                             {"schema": '{"type": "record", "name": "T", "fields": [{"name": "x"}]}'},
                             422, 42201)
        self.assertIn("x", message)
        self.error("POST", "/subjects/ticks-value/versions", {"schema": "not json"}, 422, 42201)
        self.error("POST", "/subjects/ticks-value/versions",
                   {"schema": "{}", "schemaType": "PROTOBUF"}, 422, 42201)
        self.error("POST", "/subjects/ticks-value/versions", "{", 400, 400)
        self.error("POST", "/subjects/ticks-value/versions", {"schema": json.dumps(INCOMPATIBLE)},
                   409, 409)
        self.error("PUT", "/config", {"compatibility": "SIDEWAYS"}, 422, 42203)
        self.error("GET", "/config/ticks-value", None, 404, 40408)
        self.error("GET", "/no/such/endpoint", None, 404, 404)
        self.error("PUT", "/subjects", None, 405, 405)

    def test_an_oversized_body_is_refused_and_the_registry_goes_on(self):
        schema = {"type": "record", "name": "Huge", "doc": "x" * (9 << 20), "fields": []}
        try:
            status, reply, _ = self.registry.call("POST", "/subjects/huge-value/versions",
                                                  {"schema": json.dumps(schema)})
            self.assertEqual((status, reply.get("error_code")), (413, 413), reply)
            self.assertIn("8 MiB", reply["message"])
        except ConnectionError:
            pass  # the registry may close the connection before the client sent it all
        self.assertEqual(self.registry.call("GET", "/subjects")[0], 200, self.registry.stderr_tail())

    def test_soft_then_permanent_delete(self):
        for schema in HISTORY[:3]:
            self.register("ticks-value", schema)
        self.assertEqual(self.ok("DELETE", "/subjects/ticks-value/versions/2"), 2)
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions"), [1, 3])
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions?deleted=true"), [1, 2, 3])
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions/2?deleted=true")["id"], 2)
        self.error("GET", "/subjects/ticks-value/versions/2", None, 404, 40402)
        # Permanent only after soft; the soft-deleted one is not deleted softly twice.
        self.error("DELETE", "/subjects/ticks-value/versions/3?permanent=true", None, 404, 40407)
        self.error("DELETE", "/subjects/ticks-value/versions/2", None, 404, 40406)
        self.assertEqual(self.ok("DELETE", "/subjects/ticks-value/versions/2?permanent=true"), 2)
        self.assertEqual(self.ok("GET", "/subjects/ticks-value/versions?deleted=true"), [1, 3])
        # The whole subject: soft, then permanent.
        self.error("DELETE", "/subjects/ticks-value?permanent=true", None, 404, 40405)
        self.assertEqual(self.ok("DELETE", "/subjects/ticks-value"), [1, 3])
        self.assertEqual(self.ok("GET", "/subjects"), [])
        self.assertEqual(self.ok("GET", "/subjects?deleted=true"), ["ticks-value"])
        self.error("DELETE", "/subjects/ticks-value", None, 404, 40404)
        self.assertEqual(self.ok("DELETE", "/subjects/ticks-value?permanent=true"), [1, 3])
        self.assertEqual(self.ok("GET", "/subjects?deleted=true"), [])
        self.error("GET", "/subjects/ticks-value/versions?deleted=true", None, 404, 40401)
        # Ids stay: the schema text is still known by id.
        self.assertIn("schema", self.ok("GET", "/schemas/ids/1"))
        self.assertEqual(self.ok("GET", "/schemas/ids/1/versions"), [])

    def test_config_levels(self):
        self.assertEqual(self.ok("GET", "/config"), {"compatibilityLevel": "BACKWARD"})
        for level in LEVELS:
            self.assertEqual(self.ok("PUT", "/config", {"compatibility": level}),
                             {"compatibility": level})
            self.assertEqual(self.ok("GET", "/config"), {"compatibilityLevel": level})
            self.assertEqual(self.ok("PUT", "/config/ticks-value", {"compatibility": level}),
                             {"compatibility": level})
            self.assertEqual(self.ok("GET", "/config/ticks-value"), {"compatibilityLevel": level})
        self.assertEqual(self.ok("DELETE", "/config/ticks-value"),
                         {"compatibilityLevel": "FULL_TRANSITIVE"})
        self.assertEqual(self.ok("GET", "/config/ticks-value?defaultToGlobal=true"),
                         {"compatibilityLevel": "FULL_TRANSITIVE"})
        self.assertEqual(self.ok("DELETE", "/config"), {"compatibilityLevel": "FULL_TRANSITIVE"})
        self.assertEqual(self.ok("GET", "/config"), {"compatibilityLevel": "BACKWARD"})

    def test_subject_level_decides(self):
        self.register("ticks-value", HISTORY[0])
        self.ok("PUT", "/config/ticks-value", {"compatibility": "NONE"})
        self.assertEqual(self.register("ticks-value", INCOMPATIBLE), 2)
        # FORWARD: the old schema must read the new one's data; dropping a field it needs fails.
        self.ok("PUT", "/config/ticks-value", {"compatibility": "FORWARD"})
        dropped = tick_schema()
        dropped["fields"] = [f for f in dropped["fields"] if f["name"] != "price"]
        self.error("POST", "/subjects/ticks-value/versions", {"schema": json.dumps(dropped)},
                   409, 409)

    def test_compatibility_check(self):
        self.register("ticks-value", HISTORY[0])
        path = "/compatibility/subjects/ticks-value/versions/latest"
        self.assertEqual(self.ok("POST", path, {"schema": json.dumps(CORRECTED)}),
                         {"is_compatible": True})
        self.assertEqual(self.ok("POST", path, {"schema": json.dumps(INCOMPATIBLE)}),
                         {"is_compatible": False})
        verbose = self.ok("POST", path + "?verbose=true", {"schema": json.dumps(INCOMPATIBLE)})
        self.assertFalse(verbose["is_compatible"])
        self.assertTrue(any("trade_condition" in m for m in verbose["messages"]), verbose)
        self.assertEqual(self.ok("POST", "/compatibility/subjects/ticks-value/versions/1",
                                 {"schema": json.dumps(CORRECTED)}), {"is_compatible": True})
        self.error("POST", "/compatibility/subjects/ticks-value/versions/9",
                   {"schema": json.dumps(CORRECTED)}, 404, 40402)
        # A check is not a refusal: the alert's counter counts only refused registrations.
        self.assertEqual(self.registry.metric("schema_registry_compatibility_failures_total"), 0)


class Restart(SchemaRegistryTestCase):
    def snapshot(self):
        paths = ["/subjects", "/subjects?deleted=true", "/config", "/config/b-value",
                 "/subjects/a-value/versions", "/subjects/a-value/versions?deleted=true",
                 "/subjects/b-value/versions", "/subjects/a-value/versions/latest",
                 "/schemas/ids/1", "/schemas/ids/2", "/schemas/ids/3/versions"]
        return {p: self.registry.call("GET", p)[:2] for p in paths}

    def test_restart_replays_everything_from_the_topic(self):
        for schema in HISTORY[:3]:
            self.register("a-value", schema)
        self.register("b-value", HISTORY[3])
        self.ok("PUT", "/config", {"compatibility": "FULL"})
        self.ok("PUT", "/config/b-value", {"compatibility": "NONE"})
        self.ok("DELETE", "/subjects/a-value/versions/1")
        self.ok("DELETE", "/subjects/a-value/versions/1?permanent=true")
        self.ok("DELETE", "/subjects/a-value/versions/2")
        before = self.snapshot()
        self.registry.stop()
        self.registry = self.start_registry()
        self.assertEqual(self.snapshot(), before)
        # And it goes on where it was: the next id is 5, the next version of a-value 4.
        self.assertEqual(self.register("a-value", CORRECTED), 5)
        self.assertEqual(self.ok("GET", "/subjects/a-value/versions"), [3, 4])

    def test_one_elected_writer_and_changes_through_either_registry(self):
        self.register("a-value", HISTORY[0])
        second = self.start_registry()
        both = [self.registry, second]

        def writers():
            flags = [r.metric("schema_registry_writer") for r in both]
            return flags if sorted(flags) == [0, 1] else None
        wait_until(writers, 60, message="exactly one registry to be the writer")
        # A change sent to either is made once, by the writer; the one asked shows it at once.
        for i, via in enumerate(both):
            status, reply, _ = via.call("POST", "/subjects/a-value/versions",
                                        {"schema": json.dumps(HISTORY[i + 1])})
            self.assertEqual((status, reply), (200, {"id": i + 2}), via.stderr_tail())
            self.assertEqual(via.call("GET", "/subjects/a-value/versions")[1], list(range(1, i + 3)))
        # The writer stops: the other is elected and takes changes.
        writer, other = both if writers()[0] == 1 else both[::-1]
        writer.stop()
        wait_until(lambda: other.metric("schema_registry_writer") == 1, 60,
                   message="the remaining registry to be elected")
        status, reply, _ = other.call("POST", "/subjects/a-value/versions",
                                      {"schema": json.dumps(HISTORY[3])})
        self.assertEqual((status, reply), (200, {"id": 4}), other.stderr_tail())


class BrokerRestart(SchemaRegistryTestCase):
    def test_the_registry_rides_out_a_broker_restart(self):
        self.register("a-value", HISTORY[0])
        self.broker.restart()
        # Reads never needed the broker; the next change reconnects and is read back.
        self.assertEqual(self.ok("GET", "/subjects/a-value/versions"), [1])
        self.assertEqual(self.register("a-value", HISTORY[1]), 2)
        self.assertEqual(self.ok("GET", "/subjects/a-value/versions/latest")["version"], 2)


class ConfluentWrittenTopic(SchemaRegistryTestCase):
    def test_a_topic_written_in_confluents_format_is_served(self):
        """Records as Confluent's registry writes them — with the keys it has and sluice does
        not know (MODE), a NOOP marker, a record that is not JSON — replay into the same answers."""
        import ck_helpers
        from confluent_kafka.admin import AdminClient, NewTopic
        topic = unique_name("_schemas")
        admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        admin.create_topics([NewTopic(topic, 1, 1, config={"cleanup.policy": "compact"})])[topic].result(30)

        def schema_record(version, id_, schema, deleted=False):
            return {"key": json.dumps({"keytype": "SCHEMA", "subject": "t-value", "version": version,
                                       "magic": 1}),
                    "value": json.dumps({"subject": "t-value", "version": version, "id": id_,
                                         "schema": json.dumps(schema), "deleted": deleted})}
        records = [
            {"key": '{"keytype":"NOOP","magic":0}', "value": None},
            {"key": '{"keytype":"MODE","subject":null,"magic":0}', "value": '{"mode":"READWRITE"}'},
            {"key": '{"keytype":"CONFIG","subject":null,"magic":0}',
             "value": '{"compatibilityLevel":"FULL"}'},
            schema_record(1, 7, HISTORY[0]), schema_record(2, 9, HISTORY[1]),
            {"key": "not json", "value": "garbage"},
            schema_record(1, 7, HISTORY[0], deleted=True),
        ]
        p = ck_helpers.producer(self.broker.bootstrap)
        for d in ck_helpers.produce_all(p, topic, records):
            self.assertIsNone(d.error)
        r = RegistryProcess(self.broker.bootstrap, self._tmp.name, topic=topic).start()
        self.registries.append(r)
        self.assertEqual(r.call("GET", "/config")[1], {"compatibilityLevel": "FULL"})
        self.assertEqual(r.call("GET", "/subjects/t-value/versions")[1], [2])
        self.assertEqual(r.call("GET", "/subjects/t-value/versions?deleted=true")[1], [1, 2])
        self.assertEqual(r.call("GET", "/schemas/ids/9")[1]["schema"], json.dumps(HISTORY[1]))
        # Ids go on after the highest one seen.
        status, reply, _ = r.call("POST", "/subjects/t-value/versions",
                                  {"schema": json.dumps(HISTORY[2])})
        self.assertEqual((status, reply), (200, {"id": 10}), r.stderr_tail())
        self.assertIn("skipped offset 5", r.stderr_tail())


class ConfluentClient(SchemaRegistryTestCase):
    def test_serializer_and_deserializer_through_the_broker(self):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        r = subprocess.run([VENV_PYTHON, os.path.join(HERE, "schema_registry_probe.py"),
                            self.registry.url, self.broker.bootstrap, unique_name("ticks"), "50"],
                           capture_output=True, text=True, timeout=180, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + self.registry.stderr_tail())
        seen = json.loads(r.stdout.strip().splitlines()[-1])
        self.assertEqual(seen["produced"], 50)
        self.assertEqual(seen["consumed"], 50)
        self.assertEqual(seen["schema_ids"], [1])
        self.assertEqual(seen["versions"], [1, 2])
        self.assertEqual(seen["refused"], 409)
        self.assertEqual(seen["compatible"], [True, False])


if __name__ == "__main__":
    unittest.main()
