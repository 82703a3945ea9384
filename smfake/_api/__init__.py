"""What tests touch: the activation object, the fake's handle."""
