"""Allure evidence and the release gate (GO / NO-GO)."""
