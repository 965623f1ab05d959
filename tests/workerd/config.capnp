# workerd configuration of the Cloudflare Workers test (workerd_test.ts). The test copies
# this file into a temporary folder beside the two bundles of the test Worker (source.js from
# kafkit's sources, npm.js from the npm package), the harness's CA (ca.pem) and client
# certificate (client.pem, client-key.pem), then runs
#   workerd serve config.capnp --socket-addr source=127.0.0.1:P1 --socket-addr npm=... ...

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "source", worker = .source),
    (name = "npm", worker = .npm),
    (name = "compat", worker = .compat),
    (name = "untrusting", worker = .untrusting),
    (name = "mtls", worker = .mtls),
    # The Workers' outbound network: workerd allows only public addresses by default, and the
    # harness broker listens on 127.0.0.1. Its TLS listeners have a certificate of the
    # harness's own CA, which a Worker can only be told to trust here (cloudflare:sockets
    # takes no CA per connection).
    (name = "loopback", network = (
      allow = ["public", "private", "local"],
      tlsOptions = (trustedCertificates = [embed "ca.pem"]),
    )),
    # The same, presenting a client certificate on every TLS connection (the harness's mTLS
    # listener requires one): cloudflare:sockets takes none per connection either.
    (name = "loopback-client-cert", network = (
      allow = ["public", "private", "local"],
      tlsOptions = (
        trustedCertificates = [embed "ca.pem"],
        keypair = (privateKey = embed "client-key.pem", certificateChain = embed "client.pem"),
      ),
    )),
    # The same network trusting only the public CAs, as on Cloudflare: TLS to the broker fails.
    (name = "public-cas", network = (
      allow = ["public", "private", "local"],
      tlsOptions = (trustBrowserCas = true),
    )),
  ],
  sockets = [
    (name = "source", http = (), service = "source"),
    (name = "npm", http = (), service = "npm"),
    (name = "compat", http = (), service = "compat"),
    (name = "untrusting", http = (), service = "untrusting"),
    (name = "mtls", http = (), service = "mtls"),
  ],
);

# No compatibility flags: kafkit needs none (no nodejs_compat).
const source :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "source.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
  # GroupMember objects, one per group name, kept in memory for the life of the process.
  durableObjectNamespaces = [(className = "GroupMember", uniqueKey = "kafkit-test-group-member")],
  durableObjectStorage = (inMemory = void),
  bindings = [(name = "MEMBER", durableObjectNamespace = "GroupMember")],
);

const npm :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "npm.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);

# With nodejs_compat, whose node:zlib has zstd: zstd compression works too.
const compat :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "source.js")],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "loopback",
);

const untrusting :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "source.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "public-cas",
);

const mtls :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "source.js")],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback-client-cert",
);
