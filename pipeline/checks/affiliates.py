"""Affiliate links: foreign tracking ids, shorteners, forbidden collections.

(Filled in by the affiliates work; see pipeline.affiliates.)
"""
