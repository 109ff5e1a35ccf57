"""The admin API for operators and the fleet console (operator tokens)."""
