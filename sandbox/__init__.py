"""The local sandbox: the real bot on the Bot API emulator, driven from a web chat on 127.0.0.1."""
