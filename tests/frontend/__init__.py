"""Tests of the voting web app in frontend/."""
