//===- HostTarget.h - facts about the machine compiling ---------*- C++ -*-===//
//
// Code generation here targets the machine it runs on (the JIT compiles for
// the host CPU), so tile sizes follow the host's vector registers.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_HOSTTARGET_H
#define COTAN_LIB_TRANSFORMS_HOSTTARGET_H

namespace mlir::cotan {

/// The width in bits of the host's widest vector registers: 512 with
/// AVX-512, 256 with AVX, else 128.
unsigned hostVectorBits();

/// `requested` if nonzero, else hostVectorBits().
inline unsigned vectorBitsOrHost(unsigned requested) {
  return requested ? requested : hostVectorBits();
}

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_HOSTTARGET_H
