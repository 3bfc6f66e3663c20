//===- BackwardLocation.h - marking ops of a backward pass -----*- C++ -*-===//
//
// Ops a VJP rule builds keep their forward op's source location, wrapped
// in a NameLoc "backward", so diagnostics and debug_nans can say which
// pass a value belongs to.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_TRANSFORMS_BACKWARDLOCATION_H
#define COTAN_TRANSFORMS_BACKWARDLOCATION_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

namespace mlir::cotan {

inline bool isBackwardLocation(Location loc) {
  bool found = false;
  loc->walk([&](Location inner) {
    if (auto name = dyn_cast<NameLoc>(inner); name && name.getName() == "backward")
      found = true;
    return found ? WalkResult::interrupt() : WalkResult::advance();
  });
  return found;
}

/// Marks `op` and the ops nested in it as belonging to a backward pass.
inline void markBackward(Operation *op) {
  op->walk([](Operation *inner) {
    Location loc = inner->getLoc();
    if (!isBackwardLocation(loc))
      inner->setLoc(NameLoc::get(StringAttr::get(loc.getContext(), "backward"), loc));
  });
}

} // namespace mlir::cotan

#endif // COTAN_TRANSFORMS_BACKWARDLOCATION_H
