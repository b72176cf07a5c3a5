"""The seed knowledge the reliability benchmark and the tests run the bot on, and a question for each outcome."""

# A small knowledge file whose outcomes do not move when the matcher is tuned: one clear
# answer, two claims asked the same way (a "Did you mean…"), and markup in every field.
SEED_KNOWLEDGE = """\
source:
  id: team-briefing
  title: "Quarterly briefing <Q3> & outlook"
  outlet: Team News
  url: https://example.org/briefing?q=3&lang=en
  published: 2024-05-01
claims:
  - id: army-daily-shells
    statement: The army fires 50,000 shells per day.
    attributed_to: General Alpha
    via: Reporter Beta, speaking to Team News
    questions:
      - How many shells does the army fire per day?
      - What is the army's daily shell use?
    tags: [artillery]
  - id: budget-forecast-high
    statement: The defence budget will reach 90 billion next year.
    attributed_to: The finance ministry
    questions:
      - What will the defence budget be next year?
    tags: [budget]
  - id: budget-forecast-low
    statement: The defence budget will stay near 70 billion next year.
    attributed_to: The opposition
    questions:
      - What will the defence budget be next year?
    tags: [budget]
  - id: profits-and-costs
    statement: Profits rose 5% & costs <fell> at the <script>alert(1)</script> plant.
    attributed_to: Smith & Sons <Ltd>
    quote: "We did <b>well</b> & more"
    questions:
      - Did the plant's profits rise?
    tags: [industry]
"""
ANSWERED = "How many shells does the army fire per day?"
AMBIGUOUS = "What will the defence budget be next year?"
REFUSED = "What is the capital of France?"
