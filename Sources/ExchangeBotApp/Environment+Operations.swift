/// How the service reports on itself: its log format and the address of its HTTP listener (which serves
/// `/healthz`, `/readyz` and `/metrics` in every mode, and the REST API with `SECRET_KEY`).
extension Environment {
    /// `LOG_FORMAT`: `text` (the default, swift-log's stream format) or `json` (one object per line).
    public func logFormat() throws(ConfigurationError) -> LogFormat {
        let text = (self["LOG_FORMAT"] ?? "text").lowercased()
        guard let format = LogFormat(rawValue: text) else {
            throw ConfigurationError("LOG_FORMAT", "must be text or json")
        }
        return format
    }

    /// `API_HOST` and `API_PORT`: where the HTTP listener binds, whether or not the REST API runs. Port 0 lets the
    /// system pick a free one (the log line "listening" names it).
    public func listenAddress() throws(ConfigurationError) -> (host: String, port: Int) {
        (self["API_HOST"] ?? "127.0.0.1", try integer("API_PORT", default: 8000, range: 0...65535))
    }
}

/// The `LOG_FORMAT` names.
public enum LogFormat: String, CaseIterable, Sendable {
    case text, json
}
