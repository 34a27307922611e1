/// The Telegram Bot API client (see the files of this module).
enum TelegramBotAPIModule {}
