"""Where a model's weights come from (a path, the Hub, the bundled copies), how they load safely, and export."""
