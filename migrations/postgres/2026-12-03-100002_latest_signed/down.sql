DROP INDEX agreements_second_signed;
DROP INDEX agreements_first_signed;
