"""The first-run wizard (issue 9): where the desk is, its identity, printer and paper, scanner,
provincial server, then work. ``wizard.FirstRunWizard`` puts the pages together."""
