import Foundation

/// The platform's side of a shared PostgreSQL database, played by Python for the interop tests: the seed's two
/// SQLAlchemy 2 models, `create_all`, and rows written and read through psycopg 3.
public enum SeedPlatform {
    /// Why these tests cannot run here, if they cannot.
    public static let skipReason: String? = {
        guard Python.cryptographyAvailable else { return Python.skipReason }
        let probe = "import psycopg, sqlalchemy; assert int(sqlalchemy.__version__.split('.')[0]) >= 2"
        guard (try? Python.runBlocking(probe)) != nil else {
            return "python3 lacks psycopg 3 or SQLAlchemy 2 (scripts/install-dependencies.sh installs them from PyPI)"
        }
        return nil
    }()

    /// The seed's models and the two things Python does: `create` (tables and a user with a key, as the platform's
    /// sign-up and the seed's API write them) and `read` (a key this service wrote, opened with the master key).
    /// Secrets come and go through the environment and are compared here: nothing secret is printed.
    public static let script = """
        import calendar, datetime, json, os, sys
        from cryptography.fernet import Fernet
        from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, create_engine, select
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

        class Base(DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            username: Mapped[str | None] = mapped_column(String(100))
            email: Mapped[str | None] = mapped_column(String(255))
            telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
            language_code: Mapped[str | None] = mapped_column(String(10))
            is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
            is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
            created_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, default=datetime.datetime.utcnow)

        class UserExchange(Base):
            __tablename__ = "user_exchanges"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
            exchange_name: Mapped[str] = mapped_column(String(50), nullable=False)
            label: Mapped[str] = mapped_column(String(100), nullable=False)
            api_key: Mapped[str] = mapped_column(String(500), nullable=False)
            api_secret: Mapped[str] = mapped_column(String(500), nullable=False)
            passphrase: Mapped[str | None] = mapped_column(String(500))
            status: Mapped[str | None] = mapped_column(String(20), default="PENDING")
            is_active: Mapped[bool | None] = mapped_column(Boolean, default=False)
            error_message: Mapped[str | None] = mapped_column(Text)
            created_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
            updated_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

        def seconds(value):
            return calendar.timegm(value.utctimetuple())

        engine = create_engine(os.environ["INTEROP_DATABASE_URL"])
        fernet = Fernet(os.environ["INTEROP_MASTER_KEY"].encode())
        mode = sys.argv[1]
        if mode == "create":
            Base.metadata.create_all(engine)
            now = datetime.datetime.utcnow()
            with Session(engine) as session:
                user = User(username="platform-user", email="p@example.com", telegram_id=5_100_000_001,
                            language_code="ru", created_at=now)
                session.add(user)
                session.flush()
                key = UserExchange(user_id=user.id, exchange_name="okx", label="From Python", api_key="py-api-key-1",
                                   api_secret=fernet.encrypt(os.environ["INTEROP_SECRET"].encode()).decode(),
                                   passphrase=fernet.encrypt(os.environ["INTEROP_PASSPHRASE"].encode()).decode(),
                                   status="APPROVED", is_active=True, created_at=now, updated_at=now)
                session.add(key)
                session.commit()
                print(json.dumps({"user": user.id, "key": key.id, "at": seconds(now)}))
        else:
            with Session(engine) as session:
                key = session.scalars(select(UserExchange).where(UserExchange.id == int(sys.argv[2]))).one()
                assert fernet.decrypt(key.api_secret.encode()).decode() == os.environ["INTEROP_SECRET"], "secret"
                opened = fernet.decrypt(key.passphrase.encode()).decode() if key.passphrase else None
                assert opened == os.environ.get("INTEROP_PASSPHRASE"), "passphrase"
                owner = session.get(User, key.user_id)
                print(json.dumps({"created": seconds(key.created_at), "updated": seconds(key.updated_at),
                                  "naive": key.created_at.tzinfo is None, "status": key.status,
                                  "label": key.label, "api_key": key.api_key, "owner": owner.username}))
        """

    /// What `migrate` asks an operator to run on the seed's `String(500)` credential columns.
    public static let fixes = [
        "ALTER TABLE user_exchanges ALTER COLUMN api_secret TYPE TEXT;",
        "ALTER TABLE user_exchanges ALTER COLUMN passphrase TYPE TEXT;",
    ]

    /// A test server URL in the form SQLAlchemy's psycopg 3 driver takes.
    public static func sqlalchemyURL(_ url: String) -> String {
        "postgresql+psycopg" + url.drop { $0 != ":" }
    }
}
