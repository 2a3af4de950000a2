"""E-mail verification codes per scene, and captcha verification."""
