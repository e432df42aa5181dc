"""The first-run wizard: where the desk is, its identity, printer and paper, scanner,
provincial server, then work. ``wizard.FirstRunWizard`` puts the pages together."""
