"""Turning files into syntax trees and objects, many at once: the worker pool and the parse cache."""
