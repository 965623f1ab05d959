# Runs the example Worker in a local workerd (examples_test.ts does this against the harness):
#   esbuild worker.ts --bundle --format=esm --conditions=workerd,worker,browser --outfile=worker.js
#   workerd serve config.capnp --socket-addr http=127.0.0.1:8787 \
#     --binding KAFKA_BROKERS=... (or edit the bindings below)
# On Cloudflare, wrangler.toml says the same.

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # workerd allows only public addresses by default; a broker on this machine is local.
    (name = "local-network", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "local-network",
  bindings = [
    (name = "KAFKA_BROKERS", fromEnvironment = "KAFKA_BROKERS"),
    (name = "TOPIC", fromEnvironment = "TOPIC"),
  ],
);
