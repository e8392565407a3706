"""The embedded sample data: a generated prefecture of counties, customers and managers."""
