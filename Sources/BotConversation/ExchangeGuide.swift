import ExchangeBotCore

/// How to create a key on each exchange, sent with the label prompt (one message: the contract's order label →
/// key → secret → passphrase stays). The steps are in the locales (`guide.<exchange>`), in the exchange's own
/// words for its menus; the API management page is linked from here, one place for every language.
public enum ExchangeGuide {
    /// The exchange's page where API keys are created.
    public static func apiPage(_ exchange: ExchangeID) -> String {
        switch exchange {
        case .binance: "https://www.binance.com/en/my/settings/api-management"
        case .bybit: "https://www.bybit.com/app/user/api-management"
        case .okx: "https://www.okx.com/account/my-api"
        case .gate: "https://www.gate.io/myaccount/api_key_manage"
        case .mexc: "https://www.mexc.com/user/openapi"
        case .kucoin: "https://www.kucoin.com/account/api"
        case .coinbase: "https://portal.cdp.coinbase.com/projects/api-keys"
        case .coinbaseexchange: "https://exchange.coinbase.com/profile/api"
        case .kraken: "https://pro.kraken.com/app/settings/api"
        }
    }

    /// The guide and the label question, as one forced reply.
    static func labelPrompt(_ exchange: ExchangeID) -> Reply {
        Reply(
            .init("guide.\(exchange.rawValue)", ["exchange": exchange.displayName, "url": apiPage(exchange)]),
            forceReply: true
        )
    }
}
