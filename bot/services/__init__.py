"""Domain services: plain values in, plain values out, never a telegram.Update."""
