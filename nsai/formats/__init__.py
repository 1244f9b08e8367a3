"""Address interchange formats: record layouts and writers shared by the generator and loaders."""
