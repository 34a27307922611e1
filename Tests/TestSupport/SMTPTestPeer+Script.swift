extension SMTPTestPeer {
    /// The peer: aiosmtpd on 127.0.0.1, configured by a JSON argument; each accepted message is parsed with
    /// Python's own `email` package and written as `<n>.json` before the 250 goes out, so a sender that got its
    /// 250 finds the file. It prints its port once listening and stops when its standard input closes (the test
    /// process ended or called `stop()`).
    static let script = #"""
        import asyncio, datetime, email, email.policy, json, os, socket, ssl, sys
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        cfg = json.loads(sys.argv[1])
        folder = cfg["folder"]

        def free_port():
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        context = None
        if cfg["tls"] != "none":
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.x509.oid import NameOID
            import ipaddress
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
            now = datetime.datetime.now(datetime.timezone.utc)
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
            with open(os.path.join(folder, "cert.pem"), "wb") as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM))
            with open(os.path.join(folder, "key.pem"), "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem"))

        class Handler:
            def __init__(self):
                self.count = 0
                self.data_failures = cfg.get("failData", 0)

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address in cfg.get("reject", []):
                    return "550 5.1.1 <%s>: Recipient address rejected" % address
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if self.data_failures > 0:
                    self.data_failures -= 1
                    with open(os.path.join(folder, "deferred.log"), "a") as f:
                        f.write("451\n")
                    return "451 4.3.0 Try again later"
                self.count += 1
                raw = envelope.original_content
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                parts = {}
                for part in msg.walk():
                    if not part.is_multipart():
                        parts[part.get_content_type()] = part.get_content().replace("\r\n", "\n")
                record = {
                    "mailFrom": envelope.mail_from, "recipients": envelope.rcpt_tos,
                    "raw": raw.decode("utf-8", "replace"),
                    "subject": str(msg["subject"]), "from": str(msg["from"]), "to": str(msg["to"]),
                    "headerNames": list(msg.keys()), "contentType": msg.get_content_type(),
                    "text": parts.get("text/plain"), "html": parts.get("text/html"),
                    "defects": [str(d) for p in msg.walk() for d in p.defects],
                    "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None, "authenticated": bool(session.authenticated),
                    "mechanism": getattr(server, "_mechanism", None),
                }
                path = os.path.join(folder, "%d.json" % self.count)
                with open(path + ".tmp", "w") as f:
                    json.dump(record, f)
                os.rename(path + ".tmp", path)
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            server._mechanism = mechanism
            ok = (isinstance(auth_data, LoginPassword)
                and auth_data.login == cfg["username"].encode() and auth_data.password == cfg["password"].encode())
            return AuthResult(success=ok, handled=False)

        kwargs = {}
        if cfg.get("username"):
            # aiosmtpd counts only STARTTLS as encrypted, so with implicit TLS it would hide AUTH.
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=cfg["tls"] == "starttls",
                auth_exclude_mechanism=cfg.get("excludeMechanisms", []))
        if cfg["tls"] == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif cfg["tls"] == "implicit":
            kwargs.update(ssl_context=context)
        port = free_port()
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        print(port, flush=True)
        sys.stdin.read()
        controller.stop()
        """#
}
