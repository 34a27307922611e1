import NIOSSL
import Testing

@testable import SMTPClient

/// How errors of the TLS layer are classified: a connection the server dropped may pass and is tried again; a
/// certificate or host name that does not verify will not, and is given up.
@Suite struct ErrorClassificationTests {
    @Test func aDroppedTLSConnectionIsTransient() {
        let dropped: [any Error] = [
            NIOSSLError.uncleanShutdown,
            NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake])),
            NIOSSLError.handshakeFailed(.syscallError),
        ]
        for error in dropped {
            #expect(SMTPError.from(error).kind == .transient, "\(error)")
        }
    }

    @Test func aTLSFailureIsPermanent() {
        let failures: [any Error] = [
            NIOSSLError.handshakeFailed(.sslError([])),
            NIOSSLError.unableToValidateCertificate,
            NIOSSLError.noCertificateToValidate,
            NIOSSLExtraError.failedToValidateHostname,
        ]
        for error in failures {
            let classified = SMTPError.from(error)
            #expect(classified.kind == .permanent && classified.description.hasPrefix("TLS failed"), "\(error)")
        }
    }
}
