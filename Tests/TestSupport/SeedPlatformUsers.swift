import Foundation

/// The platform's `users` table in its smallest forms, made by SQLAlchemy as a Flask app's models would: what the
/// product must work with without adding a column.
extension SeedPlatform {
    /// Which `users` model the platform has.
    public enum UsersModel: String, Sendable, CaseIterable {
        /// Exactly `id, username, email, is_active, is_admin`.
        case minimal
        /// The minimal columns plus a NOT NULL `password_hash` without a default: a row the bot cannot write.
        case strict
    }

    /// Why the SQLAlchemy-made tables cannot be created here (SQLite needs only SQLAlchemy 2; PostgreSQL also
    /// psycopg 3), if they cannot.
    public static func usersModelSkipReason(postgres: Bool) -> String? {
        if postgres { return skipReason }
        guard Python.executable != nil else { return Python.skipReason }
        let probe = "import sqlalchemy; assert int(sqlalchemy.__version__.split('.')[0]) >= 2"
        guard (try? Python.runBlocking(probe)) != nil else {
            return "python3 lacks SQLAlchemy 2 (scripts/install-dependencies.sh installs it from PyPI)"
        }
        return nil
    }

    /// Creates the `users` table of `model` (`create_all`) at `databaseURL` (an SQLAlchemy URL) with one platform
    /// user, `platform-user` (`p@example.com`; password hash set where the model has one), and prints its id.
    public static let usersModelScript = """
        import sys
        from sqlalchemy import Boolean, Integer, String, create_engine
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

        class Base(DeclarativeBase):
            pass

        model = sys.argv[2]

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(Integer, primary_key=True)
            username: Mapped[str | None] = mapped_column(String(80), unique=True)
            email: Mapped[str | None] = mapped_column(String(120), unique=True)
            is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
            is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
            if model == "strict":
                password_hash: Mapped[str] = mapped_column(String(256), nullable=False)

        engine = create_engine(sys.argv[1])
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            user = User(username="platform-user", email="p@example.com")
            if model == "strict":
                user.password_hash = "pbkdf2:sha256:not-a-real-hash"
            session.add(user)
            session.commit()
            print(user.id)
        """

    /// Runs ``usersModelScript``; the platform user's id.
    public static func createUsers(_ model: UsersModel, sqlalchemyURL: String) async throws -> Int64 {
        let output = try await Python.run(usersModelScript, arguments: [sqlalchemyURL, model.rawValue])
        guard let id = Int64(output) else { throw Python.Failure(status: 0, standardError: "no user id: \(output)") }
        return id
    }
}
