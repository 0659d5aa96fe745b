// Package ckpt is gebm's model file: one writer and one reader, used by the
// trainer, the command line and the browser alike.
//
// Layout (all integers little-endian):
//
//	offset  size  content
//	0       8     magic "GEBM\x89\r\n\x1a" (a binary-file marker in the PNG style)
//	8       4     format version (uint32: 1, or 2 for a model with layer kinds
//	              that version 1 did not have; see Version)
//	12      4     header length H (uint32, at most MaxHeader)
//	16      H     header: JSON (Header), describing architecture, data, the
//	              scalar A, training metadata and the list of tensors
//	16+H    4·N   tensor data: float32 values of every tensor, in header order
//	end-4   4     CRC-32C (Castagnoli) of every byte before it
//
// The reader trusts nothing: it checks the magic, the version, every length
// against the bytes actually present before allocating, the checksum, the
// tensors against the architecture, and that every value is finite.
package ckpt
