import ExchangeBotCore
import Logging

/// Logs what the approval service reports as the service's own faults, at error level: an operator must act.
enum ServiceProblemLog {
    static func log(_ problem: ServiceProblem, to logger: Logger) {
        switch problem {
        case .outboxEventParked(let id):
            logger.error(
                "an outbox event cannot be read (damaged, or sealed with a master key no longer configured); parked",
                metadata: ["outbox.id": "\(id)"]
            )
        case .keyUncheckable(let keyID, let code):
            logger.error(
                "a key cannot be checked for a reason of the service's (left as it was; admins are told once)",
                metadata: ["key.id": "\(keyID)", "code": "\(code)"]
            )
        }
    }
}
