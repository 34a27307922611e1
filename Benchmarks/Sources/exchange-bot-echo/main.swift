import Dispatch
import EchoBot
import Foundation
import TelegramAPIClient

/// The floor of `exchange-bot-update-bench`: ``EchoBot`` in a process of its own, run by the bench beside
/// `exchange-bot` exactly as it runs the service (`<binary> run`, the same environment).
///
/// Its one answer carries every caption the bench's simulated users wait for (the help text's heading, the prompts
/// of the /add flow, "awaiting approval") and a "Binance" button, so the same users run their same scripts against
/// it. It prints the service's start-up line ("exchange-bot ready") just before its first poll, and SIGTERM ends it
/// with status 0, as the bench expects of the service.
@main
enum EchoBotProcess {
    static let text = "How it works: this is the echo baseline. send a name, API key, API secret, awaiting approval"
    static let buttons = ReplyMarkup.inlineKeyboard(
        InlineKeyboardMarkup([[InlineKeyboardButton(text: "Binance", callbackData: "x:binance")]])
    )

    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        guard let token = environment["TELEGRAM_BOT_TOKEN"],
            let base = environment["TELEGRAM_API_URL"].flatMap(URL.init(string:))
        else {
            let usage = "exchange-bot-echo: set TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL\n"
            FileHandle.standardError.write(Data(usage.utf8))
            exit(64)
        }
        let bot = EchoBot(baseURL: base, token: token) { _ in (text, buttons) }
        let polling = Task {
            await bot.run {
                FileHandle.standardError.write(Data("exchange-bot ready (echo baseline)\n".utf8))
            }
        }
        signal(SIGTERM, SIG_IGN)
        let terminate = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .main)
        terminate.setEventHandler { polling.cancel() }
        terminate.resume()
        _ = await polling.value
        await bot.shutdown()
        exit(0)
    }
}
