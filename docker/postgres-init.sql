-- The department systems keep their own database, apart from the platform's.
CREATE DATABASE departments OWNER onewindow;
