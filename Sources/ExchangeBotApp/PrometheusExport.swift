import CoreMetrics
import ExchangeBotCore
import Prometheus
import ServiceMetrics

/// The process's one metrics backend: swift-metrics bootstrapped with a ``PrometheusMetricsFactory`` over one
/// ``PrometheusCollectorRegistry``, whose text exposition `GET /metrics` serves.
///
/// `MetricsSystem.bootstrap` may run once per process (a second call traps), while tests and benchmarks build the
/// runtime in-process many times: the first ``shared`` bootstraps, every later one gets the same registry, so
/// counters are process-wide and only ever grow (tests compare before and after).
public enum PrometheusExport {
    /// The registry every runtime in this process records into (bootstrapping swift-metrics on first use).
    public static var shared: PrometheusCollectorRegistry { bootstrapped.registry }

    /// The registry's metrics in the text exposition format (version 0.0.4).
    public static func text() -> [UInt8] {
        shared.emitToBuffer()
    }

    /// `/metrics`: the queue depths sampled now (one query; a scrape is their period), then every metric. A
    /// database that does not answer leaves the last depths in place (`/readyz` says it is unreachable).
    static func scrape(_ queueDepths: @Sendable () async throws -> QueueDepths) async -> [UInt8] {
        if let depths = try? await queueDepths() {
            ServiceMetrics.queueDepth(queue: "inbox", channel: "telegram", depth: depths.inbox)
            ServiceMetrics.queueDepth(queue: "outgoing", channel: "telegram", depth: depths.outgoing)
            ServiceMetrics.queueDepth(queue: "outbox", channel: "events", depth: depths.eventOutbox)
            ServiceMetrics.queueDepth(queue: "outbox", channel: "mail", depth: depths.mailOutbox)
        }
        return text()
    }

    /// Swift's lazy globals run their initialiser once, thread-safely: the bootstrap-once guard.
    private static let bootstrapped: Bootstrapped = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Key checks take seconds (exchange timeouts are up to minutes); HTTP requests keep the default buckets.
        factory.durationHistogramBuckets["exchange_bot_key_check_duration_seconds"] = [
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        // Hummingbird's metrics under Prometheus' conventions (`_total` on counters, the unit on durations); dots,
        // which Prometheus names may not hold, become underscores.
        // A method is any token a client sends: those outside HTTP's own set count as `_OTHER`, so a client cannot
        // add series at will.
        factory.nameAndLabelSanitizer = { name, labels in
            (
                hummingbirdNames[name] ?? name.replacingDots(),
                labels.map { label, value in
                    label == "http.request.method" && !knownMethods.contains(value)
                        ? ("http_request_method", "_OTHER") : (label.replacingDots(), value)
                }
            )
        }
        MetricsSystem.bootstrap(factory)
        return Bootstrapped(registry: registry)
    }()

    /// Hummingbird's `MetricsMiddleware` names, as `/metrics` shows them.
    static let hummingbirdNames = [
        "hb.requests": "http_requests_total",
        "hb.request.errors": "http_request_errors_total",
        "http.server.request.duration": "http_server_request_duration_seconds",
        "http.server.active_requests": "http_server_active_requests",
    ]

    /// RFC 9110's methods (and PATCH): the values `http_request_method` may hold besides `_OTHER`.
    static let knownMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ]

    private struct Bootstrapped: Sendable {
        let registry: PrometheusCollectorRegistry
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        contains(".") ? String(map { $0 == "." ? "_" : $0 }) : self
    }
}
