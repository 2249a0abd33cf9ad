"""The jaikg web application (installed as `jaikg.server`)."""
