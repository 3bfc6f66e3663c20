//===- DifferentiableOpInterface.h - derivative rules -----------*- C++ -*-===//
#ifndef COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_H
#define COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "cotan/Interfaces/DifferentiableOpInterface.h.inc"

#endif // COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_H
