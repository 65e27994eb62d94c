// Fixture: a part folder for the bad include to name.
