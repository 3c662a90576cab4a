"""The client side: buffer, disk queue, background sender, processors per mode, backends."""
