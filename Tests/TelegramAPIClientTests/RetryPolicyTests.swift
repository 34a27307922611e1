import TelegramAPIClient
import Testing

/// The retry rules as pure decisions: what is repeated, after how long, and what never is.
@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    func decide(_ error: TelegramError, attempt: Int = 1, _ idempotency: Idempotency = .idempotent, jitter: Double = 1)
        -> RetryPolicy.Decision
    {
        policy.decision(after: error, attempt: attempt, idempotency: idempotency, jitter: jitter)
    }

    @Test func defaults() {
        #expect(policy.maxAttempts == 5)
        #expect(policy.baseDelay == .milliseconds(500))
        #expect(policy.maxDelay == .seconds(30))
        #expect(policy.maxRetryAfter == .seconds(60))
    }

    @Test func tooManyRequestsWaitsWhatTelegramSays() {
        for idempotency in [Idempotency.idempotent, .notIdempotent] {
            #expect(decide(.tooManyRequests(retryAfter: .seconds(17)), idempotency) == .retry(after: .seconds(17)))
            #expect(decide(.tooManyRequests(retryAfter: .seconds(60)), idempotency) == .retry(after: .seconds(60)))
        }
    }

    @Test func tooManyRequestsBeyondTheCapGoesBackToTheCaller() {
        #expect(decide(.tooManyRequests(retryAfter: .seconds(61))) == .giveUp)
        #expect(decide(.tooManyRequests(retryAfter: .seconds(600)), .notIdempotent) == .giveUp)
    }

    @Test func tooManyRequestsWithoutAWaitBacksOff() {
        #expect(
            decide(.tooManyRequests(retryAfter: .zero), attempt: 2, jitter: 0.5) == .retry(after: .milliseconds(500))
        )
    }

    @Test func backoffIsExponentialFullJitterCapped() {
        let ceilings = (1...9).map { policy.backoff(attempt: $0, jitter: 1) }
        #expect(
            ceilings == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30),
                .seconds(30), .seconds(30),
            ]
        )
        #expect(policy.backoff(attempt: 3, jitter: 0.25) == .milliseconds(500))
        #expect(policy.backoff(attempt: 1, jitter: 0) == .zero)
        #expect(policy.backoff(attempt: 1, jitter: 7) == .milliseconds(500))
        #expect(policy.backoff(attempt: 1, jitter: -1) == .zero)
        #expect(policy.backoff(attempt: 1_000, jitter: 1) == .seconds(30))
    }

    @Test func serverErrorsBackOff() {
        #expect(decide(.server(status: 500), attempt: 1, jitter: 0.5) == .retry(after: .milliseconds(250)))
        #expect(decide(.server(status: 502), attempt: 3, jitter: 0.5) == .retry(after: .seconds(1)))
        #expect(decide(.server(status: 503), attempt: 4, .notIdempotent, jitter: 1) == .retry(after: .seconds(4)))
        #expect(decide(.server(status: 500), attempt: 2, .notIdempotent, jitter: 1) == .retry(after: .seconds(1)))
    }

    @Test func sendsAreNotRepeatedWhenAProxyLostTheAnswer() {
        #expect(decide(.server(status: 502), .notIdempotent) == .giveUp)
        #expect(decide(.server(status: 504), .notIdempotent) == .giveUp)
        #expect(decide(.server(status: 504), .idempotent) == .retry(after: .milliseconds(500)))
    }

    @Test func connectFailuresAreRepeatedForEveryCall() {
        for idempotency in [Idempotency.idempotent, .notIdempotent] {
            #expect(decide(.transport(.connectFailed("refused")), idempotency) == .retry(after: .milliseconds(500)))
        }
    }

    @Test func unknownOutcomesAreRepeatedOnlyWhenIdempotent() {
        #expect(decide(.transport(.outcomeUnknown("read timeout")), .idempotent) == .retry(after: .milliseconds(500)))
        #expect(decide(.transport(.outcomeUnknown("read timeout")), .notIdempotent) == .giveUp)
    }

    @Test(
        arguments: [
            TelegramError.conflict("Conflict: terminated by other getUpdates request"), .unauthorized,
            .forbidden(blockedByUser: true, description: "Forbidden: bot was blocked by the user"),
            .badRequest("Bad Request: chat not found"), .notFound, .migrated(toChatID: -100_1), .malformedResponse,
            .transport(.cancelled), .transport(.responseTooLarge),
        ]
    )
    func neverRepeated(_ error: TelegramError) {
        #expect(decide(error, .idempotent) == .giveUp)
        #expect(decide(error, .notIdempotent) == .giveUp)
    }

    @Test func attemptsAreBounded() {
        #expect(decide(.server(status: 500), attempt: 4) != .giveUp)
        #expect(decide(.server(status: 500), attempt: 5) == .giveUp)
        #expect(decide(.tooManyRequests(retryAfter: .seconds(1)), attempt: 5) == .giveUp)
        #expect(
            RetryPolicy.never.decision(after: .server(status: 500), attempt: 1, idempotency: .idempotent, jitter: 1)
                == .giveUp
        )
    }
}
