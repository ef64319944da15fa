"""Placeholder until this module lands."""

pixel_rule_features = None
PixelRuleFeatures = None
