"""The words on the page, written for someone who has never heard of a GAN (a student, say): what the app is, one
sentence per tab, and the help under the controls. Kept here so app.py stays about wiring."""

TITLE = "# Handwritten digit generator"

WHAT_IS_THIS = """\
**A computer that learned to write digits by looking at 60,000 handwritten ones** (the MNIST collection).

- **How it learned (a GAN):** two programs trained against each other. A *forger* drew fake digits; a *detective* \
looked at real and fake ones and guessed which was which. Each time the detective caught a fake, the forger learned \
from the mistake, until its digits were hard to tell from real handwriting. This page uses the forger.
- **The digit** you pick tells the forger *what* to write.
- **The seed** is any whole number: it picks *how* the digit is written (slant, thickness, loops). The same digit \
and seed always give exactly the same picture, so a seed is like a page number in an endless book of handwriting.
- **ψ (psi, "truncation")** trades variety for neatness. At 1 you get the full range of handwriting styles, odd \
ones included; lower values keep to the most typical styles, so digits look tidier and more alike.
"""

INTRO = {
    "generate": "Pick a digit and a seed, then press Generate: each digit below uses the next seed up.",
    "style": "Each row keeps one seed's handwriting and writes all ten digits in it.",
    "morph": "Watch one digit (in one seed's handwriting) turn smoothly into another, frame by frame.",
    "explore": "Move the sliders to change the handwriting of one digit in four different ways, and watch it change.",
}

SEED_INFO = "Any whole number. The same digit and seed always draw the same picture."
PSI_LABEL = "Truncation ψ (lower: neater, less varied)"
DATASET_INFO = "Digits for the seeds from the seed box upwards, as NumPy arrays in one .npz file."
ABOUT = ("A class-conditional GAN trained on MNIST. Scripts can call it too: see \"Use via API\" at the foot of the "
         "page on a wide screen.")
