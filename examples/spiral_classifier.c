/* Classifies 2-d points with the MLP that examples/export_mlp.py trained
   and exported: reads SPIRALS_INPUT0_SIZE floats (the points, x y per line)
   from stdin and prints each point's class. Needs only the exported library
   (libspirals.a or libspirals.so), libc and libm. */
#include <stdio.h>

#include "spirals.h"

int main(void) {
  static float points[SPIRALS_INPUT0_SIZE];
  static float logits[SPIRALS_OUTPUT0_SIZE];
  for (int i = 0; i < SPIRALS_INPUT0_SIZE; ++i)
    if (scanf("%f", &points[i]) != 1) {
      fprintf(stderr, "expected %d numbers on stdin\n", SPIRALS_INPUT0_SIZE);
      return 1;
    }
  if (spirals_run(points, logits) != 0)
    return 1;
  const int classes = (int)spirals_output0_shape[1];
  for (int n = 0; n < (int)spirals_output0_shape[0]; ++n) {
    int best = 0;
    for (int c = 1; c < classes; ++c)
      if (logits[n * classes + c] > logits[n * classes + best])
        best = c;
    printf("%d\n", best);
  }
  return 0;
}
