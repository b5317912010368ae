"""The two secrets every service run on its own must share (`hotline serve <service>` refuses to start
without them): fixed values for tests and benchmarks, never for a deployment."""

SHARED_SECRETS = {"HOTLINE_PII_KEYS": "Yd3tQzyZ3ZcwC3V8Rk9bT4dG7D2C0E9h3wWm7a2nLq0=",
                  "HOTLINE_TOKEN_SECRET": "tests-and-benchmarks-only"}
